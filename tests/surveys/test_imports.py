"""Bulk import: a valid file, each kind of bad row, dry run, --approve through the workflow, the command."""

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


def test_reimporting_replaces_the_answers_and_records_the_old_values(world, reviewer):
    imports.responses_import(text=VALID, actor=reviewer)
    imports.responses_import(text=HEADER + "Alpha Social,2025,image_hashing,internal\n", actor=reviewer)
    assert _values("Alpha Social") == {"image_hashing": ["internal"]}
    latest = AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, organization__name="Alpha Social").first()
    assert latest.old_value["image_hashing"] == ["pdq", "photodna"]
    assert latest.old_value["mileposts"] == ["sbd_review_process"]
    assert _values("Bravo Games")  # not named in the second file: untouched


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
    result = imports.responses_import(text=VALID, dry_run=True, approve=True)
    assert (result.submissions_created, result.answers, result.mileposts) == (2, 6, 1)
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.exists()


def test_approve_goes_through_the_workflow_and_sends_one_signal_per_year(
    world, reviewer, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, year, submission_ids, **kwargs):
        received.append((year, len(submission_ids)))

    submission_approval_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = imports.responses_import(text=VALID, actor=reviewer, approve=True)
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
    path.write_text(VALID, encoding="utf-8")
    call_command("import_responses", str(path), "--approve", "--user", reviewer.email, "--no-progress")
    out = capsys.readouterr().out
    assert "Imported 6 answers and 1 mileposts from 7 rows" in out and "2 approved" in out
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
