"""Bulk import: a valid file, each kind of bad row, merge and replace, completeness, reading that cannot
swallow lines, look-alike names, dry run, --approve, the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from surveys.conditions import answer_value
from surveys.models import Answer, AuditEvent, Organization, Submission, SubmissionMilepost
from surveys.services import imports
from surveys.signals import submission_approval_changed
from tests.factories import MilepostFactory, OrganizationFactory, SubmissionFactory, review_questionnaire

pytestmark = pytest.mark.django_db

HEADER = "organization,year,question,value\n"


@pytest.fixture
def world(reviewer):
    cycle = review_questionnaire(2025)
    OrganizationFactory(name="Alpha Social")
    OrganizationFactory(name="Bravo Games")
    MilepostFactory(code="sbd_review_process", introduced_year=2024)
    MilepostFactory(code="future_step", introduced_year=2027)
    return cycle


VALID = HEADER + (
    "Alpha Social,2025,image_hashing,photodna;pdq\n"
    "Alpha Social,2025,supplemental_reports,yes\n"
    "Alpha Social,2025,authority_reporting,api_only\n"
    "Alpha Social,2025,trust_safety_staff,12\n"
    "Alpha Social,2025,milepost,sbd_review_process\n"
    "Bravo Games,2025,image_hashing,none\n"
    "Bravo Games,2025,supplemental_reports,no\n"
)
# Every required question answered (Bravo's authority_reporting is missing from VALID).
COMPLETE = VALID + "Bravo Games,2025,authority_reporting,manual_only\n"


def _values(organization_name):
    submission = Submission.objects.get(organization__name=organization_name, cycle__year=2025)
    return {
        a.question.code: answer_value(a, a.question)
        for a in Answer.objects.filter(submission=submission)
        .select_related("question")
        .prefetch_related("options")
    }


def test_a_valid_file_creates_submissions_answers_mileposts_and_audit_rows(world, reviewer):
    result = imports.responses_import(text=VALID, actor=reviewer, source="members.csv")
    assert (result.submissions_created, result.answers, result.mileposts) == (2, 6, 1)
    assert _values("Alpha Social") == {
        "image_hashing": ["pdq", "photodna"],
        "supplemental_reports": True,
        "authority_reporting": "api_only",
        "trust_safety_staff": 12,
    }
    assert _values("Bravo Games") == {"image_hashing": ["none"], "supplemental_reports": False}
    assert SubmissionMilepost.objects.filter(submission__organization__name="Alpha Social").count() == 1
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT)
    assert events.count() == 2
    alpha = events.get(organization__name="Alpha Social")
    assert alpha.new_value["image_hashing"] == ["pdq", "photodna"] and alpha.actor == reviewer
    assert alpha.note == "Imported from members.csv"
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.DRAFT}


def test_reimporting_keeps_the_answers_the_file_does_not_mention(world, reviewer):
    """Case 1: a one-row file used to delete every other answer of the organisation without a word."""
    imports.responses_import(text=VALID, actor=reviewer)
    one_row = HEADER + "Alpha Social,2025,image_hashing,internal\n"

    plan = imports.responses_parse(text=one_row)
    alpha = plan.submissions[("alpha social", 2025)]
    assert (alpha.added, alpha.changed, alpha.unchanged, alpha.removed) == (0, 1, 0, 3)
    assert plan.summary()["removed"] == 0 and plan.summary()["kept"] == 3

    imports.responses_import(text=one_row, actor=reviewer)
    assert _values("Alpha Social") == {
        "image_hashing": ["internal"],
        "supplemental_reports": True,
        "authority_reporting": "api_only",
        "trust_safety_staff": 12,
    }
    assert SubmissionMilepost.objects.filter(submission__organization__name="Alpha Social").count() == 1
    latest = AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, organization__name="Alpha Social").first()
    assert latest.old_value == {"image_hashing": ["pdq", "photodna"]}
    assert latest.new_value == {"image_hashing": ["internal"]}
    assert latest.subject.startswith("0 added, 1 changed, 0 unchanged, 0 removed")
    assert _values("Bravo Games")  # not named in the second file: untouched


def test_replace_removes_what_the_file_does_not_mention_and_the_preview_counts_it(world, reviewer):
    imports.responses_import(text=VALID, actor=reviewer)
    one_row = HEADER + "Alpha Social,2025,image_hashing,internal\n"

    plan = imports.responses_parse(text=one_row, replace=True)
    summary = plan.summary()
    assert (summary["changed"], summary["removed"], summary["mileposts_removed"]) == (1, 3, 1)

    result = imports.responses_import(text=one_row, actor=reviewer, replace=True)
    assert (result.changed, result.removed) == (1, 3)
    assert _values("Alpha Social") == {"image_hashing": ["internal"]}
    assert not SubmissionMilepost.objects.filter(submission__organization__name="Alpha Social").exists()
    latest = AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, organization__name="Alpha Social").first()
    assert latest.old_value["trust_safety_staff"] == 12
    assert latest.old_value["mileposts"] == ["sbd_review_process"]


def test_an_unchanged_answer_is_left_alone(world, reviewer):
    imports.responses_import(text=VALID, actor=reviewer)
    before = Answer.objects.get(
        question__code="supplemental_reports", submission__organization__name="Bravo Games"
    )
    plan = imports.responses_parse(text=HEADER + "Bravo Games,2025,supplemental_reports,no\n")
    assert plan.submissions[("bravo games", 2025)].unchanged == 1
    imports.responses_import(text=HEADER + "Bravo Games,2025,supplemental_reports,no\n", actor=reviewer)
    after = Answer.objects.get(
        question__code="supplemental_reports", submission__organization__name="Bravo Games"
    )
    assert (after.pk, after.version) == (before.pk, before.version)


def test_members_see_the_import_in_their_recent_changes(world, reviewer, client):
    from tests.factories import MembershipFactory

    alpha = Organization.objects.get(name="Alpha Social")
    client.force_login(MembershipFactory(organization=alpha).user)
    imports.responses_import(text=VALID, actor=reviewer, source="members.csv")
    imports.responses_import(text=HEADER + "Alpha Social,2025,image_hashing,internal\n", actor=reviewer)
    page = client.get(f"/orgs/{alpha.slug}/").content.decode()
    assert "imported by the coalition: 0 added, 1 changed" in page
    assert "imported by the coalition: 4 added" in page


BAD_ROWS = [
    ("Nobody Inc,2025,supplemental_reports,yes", "no organisation is called “Nobody Inc”"),
    ("Alpha Social,2025,unknown_question,yes", "has no question “unknown_question”"),
    ("Alpha Social,2025,image_hashing,photodna;hologram", "has no option “hologram”"),
    ("Alpha Social,2025,authority_reporting,carrier_pigeon", "has no option “carrier_pigeon”"),
    ("Alpha Social,2025,authority_reporting,api_only;manual_only", "takes one option only"),
    ("Alpha Social,2025,supplemental_reports,maybe", "write yes or no"),
    ("Alpha Social,2025,trust_safety_staff,twelve", "needs a whole number"),
    ("Alpha Social,2025,trust_safety_staff,5000", "at most 1000"),
    ("Alpha Social,2025,trust_safety_staff,-1", "at least 0"),
    ("Alpha Social,2025,image_hashing,none;photodna", "“none” cannot be combined"),
    ("Alpha Social,2025,milepost,no_such_step", "no milepost has the code “no_such_step”"),
    ("Alpha Social,2025,milepost,future_step", "joins the catalogue in 2027"),
    ("Alpha Social,2019,supplemental_reports,yes", "no survey cycle for 2019"),
    ("Alpha Social,twenty,supplemental_reports,yes", "the year must be a number"),
    ("Alpha Social,2025,supplemental_reports,", "no value for supplemental_reports"),
    (",2025,supplemental_reports,yes", "the organisation is empty"),
]


@pytest.mark.parametrize("row,message", BAD_ROWS, ids=[m for _, m in BAD_ROWS])
def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_imported(world, row, message):
    text = HEADER + "Bravo Games,2025,supplemental_reports,yes\n" + row + "\n"
    with pytest.raises(imports.ImportRejected) as caught:
        imports.responses_import(text=text)
    [problem] = caught.value.problems
    assert problem.line == 3
    assert message in problem.message
    assert not Submission.objects.exists() and not Answer.objects.exists()


def test_every_problem_is_reported_not_just_the_first(world):
    text = HEADER + (
        "Alpha Social,2025,supplemental_reports,yes\n"
        "Alpha Social,2025,supplemental_reports,no\n"
        "Alpha Social,2025,image_hashing,hologram\n"
        "Alpha Social,2025,milepost,sbd_review_process\n"
        "Alpha Social,2025,milepost,sbd_review_process\n"
    )
    plan = imports.responses_parse(text=text)
    assert [(p.line, p.message.split(" ")[0]) for p in plan.problems] == [
        (3, "Alpha"),
        (4, "image_hashing"),
        (6, "milepost"),
    ]
    assert "first on line 2" in plan.problems[0].message


def test_a_missing_header_column_is_reported(world):
    plan = imports.responses_parse(text="organisation,year,question,value\nAlpha Social,2025,x,y\n")
    assert plan.problems[0].line == 1 and "missing organization" in plan.problems[0].message


def test_create_organizations_adds_unknown_organisations(world):
    text = HEADER + "Charlie Chat,2025,supplemental_reports,yes\n"
    result = imports.responses_import(text=text, create_organizations=True)
    assert result.organizations_created == 1
    assert Organization.objects.get(name="Charlie Chat").slug == "charlie-chat"


def test_an_approved_submission_is_not_overwritten(world):
    SubmissionFactory(
        organization=Organization.objects.get(name="Alpha Social"), cycle=world, status="approved"
    )
    with pytest.raises(imports.ImportRejected) as caught:
        imports.responses_import(text=VALID)
    assert "already approved" in caught.value.problems[0].message


def test_dry_run_writes_nothing(world):
    result = imports.responses_import(text=COMPLETE, dry_run=True, approve=True)
    assert (result.submissions_created, result.answers, result.mileposts) == (2, 7, 1)
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.exists()


def test_approve_refuses_incomplete_submissions_and_names_their_missing_questions(world, reviewer):
    """Case 2: --approve used to approve submissions whose required questions nobody answered."""
    with pytest.raises(imports.ImportRejected) as caught:
        imports.responses_import(text=VALID, actor=reviewer, approve=True)
    [problem] = caught.value.problems
    assert problem.line == 7  # Bravo Games' first row
    assert (
        "Bravo Games's 2025 submission would miss 1 required answer: authority_reporting" in problem.message
    )
    assert not Submission.objects.exists()


def test_incomplete_submissions_are_imported_as_drafts_and_listed(world, reviewer, tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_text(VALID, encoding="utf-8")
    call_command("import_responses", str(path), "--no-progress")
    out = capsys.readouterr().out
    assert (
        f"{path}:7: in draft: Bravo Games's 2025 submission would miss 1 required answer: authority_reporting"
        in out
    )
    assert set(Submission.objects.values_list("status", flat=True)) == {"draft"}


def test_approve_goes_through_the_workflow_and_sends_one_signal_per_year(
    world, reviewer, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, year, submission_ids, **kwargs):
        received.append((year, len(submission_ids)))

    submission_approval_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = imports.responses_import(text=COMPLETE, actor=reviewer, approve=True)
    finally:
        submission_approval_changed.disconnect(receiver)
    assert result.approved == 2
    assert received == [(2025, 2)]
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    transitions = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.TRANSITION, organization__name="Alpha Social"
    )
    assert sorted((e.old_value, e.new_value) for e in transitions) == [
        ("draft", "submitted"),
        ("submitted", "approved"),
    ]


def test_the_command_reports_problems_with_line_numbers(world, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "Alpha Social,2025,supplemental_reports,perhaps\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem found; nothing was imported"):
        call_command("import_responses", str(path), "--no-progress")
    assert f"{path}:2: supplemental_reports is a yes/no question" in capsys.readouterr().err


def test_the_command_imports_and_approves(world, reviewer, tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_text(COMPLETE, encoding="utf-8")
    call_command("import_responses", str(path), "--approve", "--user", reviewer.email, "--no-progress")
    out = capsys.readouterr().out
    assert "Imported 7 answers and 1 mileposts from 8 rows" in out and "2 approved" in out
    assert Submission.objects.approved().count() == 2


def test_the_command_dry_run_says_nothing_was_written(world, tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_text(VALID, encoding="utf-8")
    call_command("import_responses", str(path), "--dry-run", "--no-progress")
    assert "nothing was written" in capsys.readouterr().out
    assert not Submission.objects.exists()


def test_hidden_conditional_answers_are_kept_but_not_visible(world):
    from tests.factories import QuestionFactory

    parent = world.questions.get(code="supplemental_reports")
    QuestionFactory(
        section=parent.section,
        cycle=world,
        code="supplemental_count",
        type="integer",
        condition_question=parent,
        condition_operator="equals",
        condition_value="yes",
        position=99,
    )
    text = HEADER + "Alpha Social,2025,supplemental_reports,no\nAlpha Social,2025,supplemental_count,4\n"
    imports.responses_import(text=text)
    answer = Answer.objects.get(question__code="supplemental_count")
    assert answer.value_int == 4 and answer.is_visible is False


def test_an_unclosed_quote_is_reported_with_its_line_not_a_traceback(world):
    filler = "".join(f"Alpha Social,2025,trust_safety_staff,{n}\n" for n in range(10_000))
    text = (
        HEADER
        + "Alpha Social,2025,supplemental_reports,yes\n"
        + 'Bravo Games,2025,image_hashing,"none\n'
        + filler
    )
    plan = imports.responses_parse(text=text)
    assert not plan.is_valid
    assert plan.problems[-1].line == 3
    assert "quote mark" in plan.problems[-1].message
    with pytest.raises(imports.ImportRejected):
        imports.responses_import(text=text)
    assert not Submission.objects.exists()


def test_a_new_organisation_spelt_two_ways_is_created_once(world):
    text = HEADER + ("Charlie Apps,2025,supplemental_reports,yes\ncharlie apps,2025,image_hashing,none\n")
    result = imports.responses_import(text=text, create_organizations=True)
    assert result.organizations_created == 1
    assert _values("Charlie Apps") == {"supplemental_reports": True, "image_hashing": ["none"]}


def test_a_submission_sent_for_review_while_the_file_was_checked_is_not_overwritten(
    world, reviewer, monkeypatch
):
    submission = SubmissionFactory(organization=Organization.objects.get(name="Alpha Social"), cycle=world)
    real_parse = imports.responses_parse

    def parse_then_member_submits(**kwargs):
        plan = real_parse(**kwargs)
        Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
        return plan

    monkeypatch.setattr(imports, "responses_parse", parse_then_member_submits)

    with pytest.raises(imports.ImportRejected) as rejected:
        imports.responses_import(text=VALID, actor=reviewer)

    assert "was submitted while the file was being checked" in str(rejected.value.problems[0])
    assert not Answer.objects.exists()


# --- Reading that cannot swallow lines (case 3) and bad values caught at validation (case 6) -------------


@pytest.fixture
def with_text_question(world):
    from tests.factories import QuestionFactory

    QuestionFactory(
        section=world.sections.get(),
        cycle=world,
        code="prevention_context",
        type="long_text",
        required=False,
        position=50,
    )
    return world


def _lines(n, start=0):
    return "".join(f"Alpha Social,2025,trust_safety_staff,{k}\n" for k in range(start, start + n))


def test_an_unclosed_quote_in_a_text_answer_is_reported_where_it_opened_and_nothing_is_imported(
    with_text_question,
):
    text = (
        HEADER
        + "Bravo Games,2025,supplemental_reports,yes\n" * 1
        + "Bravo Games,2025,image_hashing,none\n"
        + "Bravo Games,2025,authority_reporting,none\n"
        + "Bravo Games,2025,trust_safety_staff,3\n"
        + "Alpha Social,2025,supplemental_reports,yes\n"
        + 'Alpha Social,2025,prevention_context,"We use safety by design\n'
        + "Alpha Social,2025,milepost,sbd_review_process\n"
        + "Alpha Social,2025,image_hashing,pdq\n" * 1
        + "".join(f"Alpha Social,2025,note_{k},plain text\n" for k in range(9))
        + 'Alpha Social,2025,authority_reporting,api_only"\n'  # this stray quote closes the one on line 7
        + "Alpha Social,2025,trust_safety_staff,4\n"
    )
    with pytest.raises(imports.ImportRejected) as caught:
        imports.responses_import(text=text)
    [problem] = caught.value.problems
    assert problem.line == 7
    assert "not closed before line 8" in problem.message
    assert '“Alpha Social,2025,prevention_context,"We use safety by desig…”' in problem.message
    assert "milepost" not in problem.message and len(problem.message) < 400
    assert not Answer.objects.exists()


def test_a_quote_in_the_question_column_is_reported_at_its_line_with_a_short_excerpt(world):
    text = (
        HEADER
        + "Bravo Games,2025,supplemental_reports,yes\n"
        + 'Alpha Social,2025,"image_hashing,pdq\n'
        + _lines(20)
    )
    plan = imports.responses_parse(text=text)
    [problem] = plan.problems
    assert problem.line == 3 and "quote" in problem.message
    assert "trust_safety_staff,19" not in problem.message and len(problem.message) < 400


def test_a_value_running_across_lines_is_refused_for_a_question_that_is_not_text(world):
    text = HEADER + 'Alpha Social,2025,supplemental_reports,"yes\n"\n'
    [problem] = imports.responses_parse(text=text).problems
    assert problem.line == 2 and "supplemental_reports is not a text question" in problem.message


def test_a_text_answer_may_run_across_lines(with_text_question):
    text = (
        HEADER
        + 'Alpha Social,2025,prevention_context,"First line.\nSecond line."\n'
        + "Alpha Social,2025,supplemental_reports,no\n"
    )
    imports.responses_import(text=text)
    assert _values("Alpha Social")["prevention_context"] == "First line.\nSecond line."


def test_an_encoding_error_names_the_line_and_byte(world):
    data = (HEADER + "Alpha Social,2025,supplemental_reports,yes\n").encode() + b"Caf\xe9 Games,2025,x,y\n"
    import io

    [problem] = imports.responses_parse(file=io.BytesIO(data)).problems
    assert (problem.line, problem.message) == (
        3,
        "byte 4 of this line is not UTF-8 text (0xe9). Save the file as “CSV UTF-8” from your spreadsheet and "
        "import it again. Nothing was imported.",
    )


def test_a_nul_byte_is_refused_at_validation_with_its_line(with_text_question):
    text = HEADER + "Alpha Social,2025,prevention_context,We scan\x00 uploads\n"
    with pytest.raises(imports.ImportRejected) as caught:
        imports.responses_import(text=text)
    assert caught.value.problems[0].line == 2 and "NUL" in caught.value.problems[0].message
    assert not Submission.objects.exists()


def test_an_overlong_organisation_name_or_text_is_refused_at_validation(with_text_question):
    text = (
        HEADER
        + ("A" * 201)
        + ",2025,supplemental_reports,yes\n"
        + "Alpha Social,2025,prevention_context,"
        + "x" * 20001
        + "\n"
    )
    problems = imports.responses_parse(text=text, create_organizations=True).problems
    assert [(p.line, p.message[:60]) for p in problems] == [
        (2, "the organisation name has 201 characters; names have at most"),
        (3, "prevention_context takes at most 20,000 characters; this ans"),
    ]


def test_names_that_differ_only_in_unicode_form_or_case_are_the_same_organisation(world):
    OrganizationFactory(name="École Apps")
    text = HEADER + (
        "Alpha\u00a0Social,2025,supplemental_reports,yes\n"  # no-break space
        "E\u0301cole apps,2025,supplemental_reports,no\n"  # decomposed É, lower case
    )
    result = imports.responses_import(text=text, create_organizations=True)
    assert result.organizations_created == 0
    assert Organization.objects.count() == 3


def test_a_look_alike_organisation_name_is_refused_not_created(world):
    text = HEADER + "\u0410lpha Social,2025,supplemental_reports,yes\n"  # Cyrillic А
    [problem] = imports.responses_parse(text=text, create_organizations=True).problems
    assert problem.line == 2
    assert "looks like the organisation “Alpha Social”" in problem.message
    assert "CYRILLIC CAPITAL LETTER A" in problem.message


def test_two_new_look_alike_names_in_one_file_are_refused(world):
    text = HEADER + "Charlie Chat,2025,supplemental_reports,yes\nCh\u0430rlie Chat,2025,image_hashing,none\n"
    [problem] = imports.responses_parse(text=text, create_organizations=True).problems
    assert problem.line == 3 and "looks like “Charlie Chat” on line 2" in problem.message


# --- Reading, line by line: the guards of import_reading --------------------------------------------------


@pytest.mark.parametrize(
    "name,other,where",
    [
        ("\u0410cme", "Acme", "character 1 is “\u0410” (CYRILLIC CAPITAL LETTER A)"),
        ("  Ac  m\u0435 ", "Ac me", "character 5 is “\u0435” (CYRILLIC SMALL LETTER IE)"),
        ("A\u0378", "AB", "character 2 is “\u0378” (an unnamed character)"),
        ("ACME", "acme", "they differ in length"),
        ("Acme", "Acme Ltd", "they differ in length"),
    ],
)
def test_the_look_alike_message_points_at_the_first_different_character(name, other, where):
    from surveys.services.import_reading import name_difference

    assert name_difference(name, other) == where


def test_a_read_error_says_its_line():
    from surveys.services.import_reading import ReadError

    error = ReadError(7, "the file is not UTF-8.")

    assert (str(error), error.line, error.message) == (
        "line 7: the file is not UTF-8.",
        7,
        "the file is not UTF-8.",
    )


@pytest.mark.parametrize(
    "text,shown",
    [
        ("Acme,2025,q1,yes\r\n", "Acme,2025,q1,yes"),
        ("\nAcme  \n", "\nAcme  "),  # only the line ending goes: spaces are part of what was typed
        ("XAcme X", "XAcme X"),
        ("a" * 60, "a" * 60),
        ("a" * 61 + "\n", "a" * 60 + "…"),
    ],
)
def test_an_excerpt_drops_the_line_ending_and_cuts_after_sixty_characters(text, shown):
    from surveys.services.import_reading import excerpt

    assert excerpt(text) == shown


def test_merge_counts_what_milepost_holds_towards_completeness_and_replace_does_not(world, reviewer):
    imports.responses_import(text=COMPLETE, actor=reviewer)
    one_row = HEADER + "Bravo Games,2025,image_hashing,photodna\n"

    merged = imports.responses_parse(text=one_row)
    assert merged.submissions[("bravo games", 2025)].missing == []
    assert imports.incomplete_problems(merged) == []

    replaced = imports.responses_parse(text=one_row, replace=True)
    assert replaced.submissions[("bravo games", 2025)].missing == [
        "supplemental_reports",
        "authority_reporting",
    ]
    [problem] = imports.incomplete_problems(replaced)
    assert (problem.line, problem.message) == (
        2,
        "Bravo Games's 2025 submission would miss 2 required answers: supplemental_reports, authority_reporting.",
    )


def test_a_submitted_or_approved_submission_is_refused_at_its_first_line_in_words(world):
    SubmissionFactory(
        organization=Organization.objects.get(name="Alpha Social"), cycle=world, status="approved"
    )
    SubmissionFactory(
        organization=Organization.objects.get(name="Bravo Games"), cycle=world, status="submitted"
    )

    plan = imports.responses_parse(text=VALID)

    assert [(p.line, p.message) for p in plan.problems] == [
        (
            2,
            "Alpha Social's 2025 submission is already approved; an administrator must reopen it before an "
            "import can change its answers.",
        ),
        (
            7,
            "Bravo Games's 2025 submission is waiting for review; return it to the member (or approve it) "
            "before an import changes its answers.",
        ),
    ]
    assert plan.summary()["new_submissions"] == 0 and plan.summary()["updated_submissions"] == 2


def test_the_preview_tells_new_submissions_from_updated_ones(world, reviewer):
    SubmissionFactory(organization=Organization.objects.get(name="Alpha Social"), cycle=world, status="draft")

    plan = imports.responses_parse(text=VALID)

    assert plan.submissions[("alpha social", 2025)].existing_status == "draft"
    assert plan.submissions[("bravo games", 2025)].existing_status is None
    assert (plan.summary()["new_submissions"], plan.summary()["updated_submissions"]) == (1, 1)


def test_the_preview_counts_each_answer_and_milepost_against_what_milepost_holds(world, reviewer):
    imports.responses_import(text=COMPLETE, actor=reviewer)
    for code in ("second_step", "third_step"):
        MilepostFactory(code=code, introduced_year=2024)
    again = HEADER + (
        "Alpha Social,2025,supplemental_reports,yes\n"
        "Alpha Social,2025,authority_reporting,api_only\n"
        "Alpha Social,2025,trust_safety_staff,13\n"
        "Alpha Social,2025,image_hashing,internal\n"
        "Alpha Social,2025,milepost,sbd_review_process\n"
        "Alpha Social,2025,milepost,second_step\n"
        "Alpha Social,2025,milepost,third_step\n"
    )

    alpha = imports.responses_parse(text=again).submissions[("alpha social", 2025)]

    assert (alpha.added, alpha.changed, alpha.unchanged, alpha.removed) == (0, 2, 2, 0)
    assert (alpha.mileposts_added, alpha.mileposts_removed) == (2, 0)


def test_the_organisation_messages_in_full(world):
    def problems(text, **kwargs):
        return [(p.line, p.message) for p in imports.responses_parse(text=HEADER + text, **kwargs).problems]

    assert problems("Charlie Chat,2025,supplemental_reports,yes\n") == [
        (
            2,
            "no organisation is called “Charlie Chat”. Check the spelling, or import with --create-organizations "
            "(“Create organisations” in the browser) to add it.",
        )
    ]
    assert problems("\u0410lpha Social,2025,supplemental_reports,yes\n") == [
        (
            2,
            "“\u0410lpha Social” looks like the organisation “Alpha Social” but is spelt with other characters "
            "(character 1 is “\u0410” (CYRILLIC CAPITAL LETTER A)). Type the name exactly as Milepost shows it.",
        )
    ]
    twice = "Charlie Chat,2025,supplemental_reports,yes\nCh\u0430rlie Chat,2025,image_hashing,none\n"
    assert problems(twice, create_organizations=True) == [
        (
            3,
            "“Ch\u0430rlie Chat” looks like “Charlie Chat” on line 2 but is spelt with other characters "
            "(character 3 is “\u0430” (CYRILLIC SMALL LETTER A)); spell a new organisation the same way on "
            "every row.",
        )
    ]
    # The same new name on several rows (in any case) is one new organisation.
    same = "Charlie Chat,2025,supplemental_reports,yes\nCHARLIE CHAT,2025,image_hashing,none\n"
    plan = imports.responses_parse(text=HEADER + same, create_organizations=True)
    assert plan.problems == [] and list(plan.new_names.values()) == ["Charlie Chat"]


@pytest.mark.parametrize(
    "name,skeleton",
    [
        ("\u0410lpha Social", "alpha social"),  # Cyrillic А
        ("G\u043e\u043egle Pl\u0430y", "google play"),  # Cyrillic о, о, а: letters, not the digit 0
        ("Acm\u0435", "acme"),  # Cyrillic е, not 3
        ("\u65e5\u672c Chat", "\u65e5\u672c chat"),  # no look-alike in ASCII: kept
        ("A", "a"),
        ("\u04abafe", "cafe"),  # Cyrillic ҫ has one look-alike
    ],
)
def test_a_name_skeleton_maps_look_alike_letters_to_the_ascii_letters_they_imitate(name, skeleton):
    from surveys.services.import_reading import name_skeleton

    assert name_skeleton(name) == skeleton


def test_a_name_spelt_with_cyrillic_o_and_e_is_a_look_alike(world):
    OrganizationFactory(name="Google Play")
    text = HEADER + "G\u043e\u043egle Pl\u0430y,2025,supplemental_reports,yes\n"

    [problem] = imports.responses_parse(text=text, create_organizations=True).problems

    assert "looks like the organisation “Google Play”" in problem.message


def test_a_file_saved_with_a_byte_order_mark_reads_as_without(world):
    plan = imports.responses_parse(file=io.BytesIO(b"\xef\xbb\xbf" + COMPLETE.encode()))
    assert plan.problems == [] and len(plan.submissions) == 2


def test_a_byte_order_mark_after_the_first_line_is_part_of_the_cell(world):
    text = HEADER.encode() + b"\xef\xbb\xbfAlpha Social,2025,supplemental_reports,yes\n"
    [problem] = imports.responses_parse(file=io.BytesIO(text)).problems
    assert "\ufeffAlpha Social" in problem.message


@pytest.mark.parametrize(
    "data,line,message",
    [
        (
            b'organization,year\nBravo,2025,q,"none',  # the file ends inside the quote
            2,
            'a quote mark (") opened on this line is never closed: “Bravo,2025,q,"none”. Close the quote (or '
            "remove it) and import again.",
        ),
        (
            b'organization,year\nAlpha,"20"25,q,v\n',
            2,
            'the quote marks on this line are not where CSV expects them: “Alpha,"20"25,q,v”. A cell that '
            'contains a quote must be quoted as a whole, with the quote doubled ("").',
        ),
        (
            b'organization,year\nok,2025,q,v\nA,"x\ny"z,q,v\n',  # a quote runs on to the next line: its first line
            3,
            'a quote mark (") opened on this line is never closed: “A,"x”. Close the quote (or remove it) and '
            "import again.",
        ),
    ],
    ids=["file-ends-in-quote", "quote-inside-cell", "quote-runs-on"],
)
def test_reading_stops_at_a_misplaced_quote_with_the_line_it_opened_on(data, line, message):
    from surveys.services.import_reading import ReadError, csv_records

    with pytest.raises(ReadError) as stopped:
        list(csv_records(io.BytesIO(data)))

    assert (stopped.value.line, stopped.value.message) == (line, message)


def test_records_carry_their_first_line_and_physical_lines():
    from surveys.services.import_reading import csv_records

    records = list(csv_records(io.BytesIO(b'organization,year\r\nA,"two\nlines"\n\nB,1\n')))

    assert [(r.line, r.fields, r.lines, r.spans_lines) for r in records] == [
        (1, ["organization", "year"], ["organization,year\r\n"], False),
        (2, ["A", "two\nlines"], ['A,"two\n', 'lines"\n'], True),
        (5, ["B", "1"], ["B,1\n"], False),
    ]


def test_a_quote_left_open_on_a_huge_last_line_is_reported_as_never_closed():
    from surveys.services.import_reading import ReadError, csv_records

    data = b'organization,year\nAlpha,"' + b"x" * 200_000  # more than the csv module's field limit, one line

    with pytest.raises(ReadError) as stopped:
        list(csv_records(io.BytesIO(data)))

    assert stopped.value.line == 2
    assert stopped.value.message.startswith(
        'a quote mark (") opened on this line is never closed: “Alpha,"xxx'
    )


# Each refusal of a row, word for word (the message is what a person reads to fix the file), with its line.
REFUSED_IN_FULL = [
    (
        "Alpha Social,2025,image_hashing\n",
        2,
        "this row has 3 cells; every row needs organization,year,question,value: "
        "“Alpha Social,2025,image_hashing”.",
    ),
    (
        "Alpha Social\n",
        2,
        "this row has 1 cell; every row needs organization,year,question,value: “Alpha Social”.",
    ),
    (
        "Alpha Social,2025,image_hashing,photo\x00dna\n",
        2,
        "a cell contains a NUL character (an invisible byte 0); remove it and import again.",
    ),
    (",2025,image_hashing,photodna\n", 2, "the organisation is empty."),
    (
        "Alpha Social,2025,milepost,sbd_review_process\nAlpha Social,2025,milepost,sbd_review_process\n",
        3,
        "milepost sbd_review_process is listed twice for Alpha Social in 2025 (also on line 2).",
    ),
    (
        "Alpha Social,2025,image_hashing,pdq\nAlpha Social,2025,image_hashing,photodna\n",
        3,
        "Alpha Social has a second answer to image_hashing for 2025 (first on line 2); keep one row per "
        "question and list several options in it separated by “;”.",
    ),
    (
        'Alpha Social,2025,image_hashing,"photodna\nBravo Games,2025,image_hashing,pdq\nmore"\n',
        2,
        'a quote mark (") opened on this line is not closed before line 3, which is a row of its own, so '
        'lines 2–4 would read as one cell: “Alpha Social,2025,image_hashing,"photodna”. Close the quote on '
        "this line and import again.",
    ),
    (
        'Alpha Social,2025,"image\nhashing",photodna\n',
        2,
        'a quoted cell that opens on this line runs on to line 3: “Alpha Social,2025,"image”. Only a text '
        "answer may run across lines; close the quote on this line.",
    ),
    (
        'Alpha Social,2025,image_hashing,"photodna\nsee,2025,later"\n',
        2,
        'the value that opens on this line runs on to line 3: “Alpha Social,2025,image_hashing,"photodna”. '
        "Only a text answer may run across lines, and image_hashing is not a text question; close the quote "
        "on this line.",
    ),
    (
        'Alpha Social,2025,,"photodna\npdq"\n',
        2,
        'the value that opens on this line runs on to line 3: “Alpha Social,2025,,"photodna”. Only a text '
        "answer may run across lines, and this question is not a text question; close the quote on this line.",
    ),
    (
        'Alpha Social,20x5,image_hashing,"photodna\npdq"\n',
        2,
        'the value that opens on this line runs on to line 3: “Alpha Social,20x5,image_hashing,"photodna”. '
        "Only a text answer may run across lines, and image_hashing is not a text question; close the quote "
        "on this line.",
    ),
]


@pytest.mark.parametrize(("rows", "line", "message"), REFUSED_IN_FULL)
def test_a_refused_row_is_explained_word_for_word_at_its_line(world, rows, line, message):
    with pytest.raises(imports.ImportRejected) as caught:
        imports.responses_import(text=HEADER + rows)

    assert [(problem.line, problem.message) for problem in caught.value.problems] == [(line, message)]
    assert not Submission.objects.exists()


def test_a_milepost_that_joins_the_catalogue_this_year_can_be_reported_this_year(world):
    MilepostFactory(code="new_this_year", introduced_year=2025)

    imports.responses_import(text=HEADER + "Alpha Social,2025,milepost,new_this_year\n")

    assert SubmissionMilepost.objects.filter(milepost__code="new_this_year").count() == 1


def test_a_new_organisation_name_may_be_as_long_as_the_database_allows_and_no_longer(world):
    longest, too_long = "N" * 200, "M" * 201

    imports.responses_import(
        text=HEADER + f"{longest},2025,supplemental_reports,yes\n", create_organizations=True
    )
    with pytest.raises(imports.ImportRejected) as caught:
        imports.responses_import(
            text=HEADER + f"{too_long},2025,supplemental_reports,yes\n", create_organizations=True
        )

    assert Organization.objects.filter(name=longest).exists()
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (2, "the organisation name has 201 characters; names have at most 200.")
    ]
