"""Staff pages: queue, review page, comments, transitions, participation, audit log, exports (the browser import: test_import_views.py);
and the member's comments page."""

import csv
import io

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from surveys.models import (
    Answer,
    AuditEvent,
    Membership,
    Organization,
    Question,
    ReviewComment,
    Submission,
    SubmissionMilepost,
)
from surveys.services import workflow
from surveys.services.exports import spreadsheet_safe
from surveys.services.questionnaires import milepost_catalogue_load, questionnaire_load
from tests.conftest import login_staff
from tests.factories import (
    QUESTIONNAIRES,
    MembershipFactory,
    MilepostFactory,
    OrganizationFactory,
    SubmissionFactory,
    UserFactory,
    answer_create,
    review_questionnaire,
)

pytestmark = pytest.mark.django_db
Status = Submission.Status


@pytest.fixture
def cycle():
    return review_questionnaire(2026)


@pytest.fixture
def submitted(cycle, org_a, lead_a):
    previous_cycle = review_questionnaire(2025)
    previous = SubmissionFactory(organization=org_a, cycle=previous_cycle, status=Status.APPROVED)
    answer_create(previous, "image_hashing", ["photodna"])
    answer_create(previous, "supplemental_reports", False)
    answer_create(previous, "authority_reporting", "api_only")
    submission = SubmissionFactory(organization=org_a, cycle=cycle)
    answer_create(submission, "image_hashing", ["photodna", "pdq"], provenance="changed")
    answer_create(submission, "supplemental_reports", True, provenance="changed")
    answer_create(submission, "authority_reporting", "api_only", provenance="confirmed")
    answer_create(submission, "trust_safety_staff", 7)
    workflow.submission_submit(submission=submission, actor=lead_a)
    return submission


def _rows(response):
    return {row.question.code: row for block in response.context["sections"] for row in block["rows"]}


def test_the_queue_lists_submitted_oldest_first_with_counts(reviewer_client, cycle):
    older = SubmissionFactory(organization=OrganizationFactory(name="Older"), cycle=cycle, status="submitted")
    newer = SubmissionFactory(organization=OrganizationFactory(name="Newer"), cycle=cycle, status="submitted")
    Submission.objects.filter(pk=older.pk).update(submitted_at="2026-10-01T10:00Z")
    Submission.objects.filter(pk=newer.pk).update(submitted_at="2026-10-02T10:00Z")
    SubmissionFactory(organization=OrganizationFactory(name="Drafty"), cycle=cycle)
    response = reviewer_client.get(reverse("surveys:review-queue"))
    assert [s.organization.name for s in response.context["page"].object_list] == ["Older", "Newer"]
    counts = {status: n for status, _, n in response.context["counts"]}
    assert counts["submitted"] == 2 and counts["draft"] == 1
    searched = reviewer_client.get(reverse("surveys:review-queue"), {"status": "", "q": "raft"})
    assert [s.organization.name for s in searched.context["page"].object_list] == ["Drafty"]


def test_the_review_page_shows_this_year_beside_last_year_with_changes(reviewer_client, submitted):
    response = reviewer_client.get(reverse("surveys:review-submission", args=[submitted.pk]))
    assert response.status_code == 200
    rows = _rows(response)
    assert (rows["image_hashing"].display, rows["image_hashing"].previous_display) == (
        "Pdq; Photodna",
        "Photodna",
    )
    assert rows["image_hashing"].change == "changed"
    assert rows["supplemental_reports"].change == "changed"
    assert rows["authority_reporting"].change == "confirmed"
    assert rows["trust_safety_staff"].change == "new"
    content = response.content.decode()
    assert "Approve submission" in content and "Return with comments" in content
    assert "Reopen submission" not in content


def test_returning_with_a_comment_then_member_sees_it_and_replies(client, reviewer, submitted, lead_a, cycle):
    reviewer_client = login_staff(client, reviewer)
    question = Question.objects.get(cycle=cycle, code="image_hashing")
    url = reverse("surveys:review-comment", args=[submitted.pk])
    response = reviewer_client.post(url, {"question": question.pk, "body": "Do you really use PDQ?"})
    assert response.status_code == 302
    response = reviewer_client.post(
        reverse("surveys:review-return", args=[submitted.pk]),
        {"expected_status": "submitted", "note": "See comment"},
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED

    client.logout()
    client.force_login(lead_a)
    page = client.get(reverse("surveys:member-comments", args=[submitted.organization.slug, submitted.pk]))
    assert "Do you really use PDQ?" in page.content.decode()
    assert "1 comment to address" in page.content.decode()
    comment = ReviewComment.objects.get()
    reply_url = reverse("surveys:member-comment-reply", args=[submitted.organization.slug, comment.pk])
    client.post(reply_url, {"body": "Yes, since March."})
    assert comment.replies.get().body == "Yes, since March."
    # Replied to: nothing is left to address (it used to say "1 comment to look at" until approval).
    page = client.get(reverse("surveys:member-comments", args=[submitted.organization.slug, submitted.pk]))
    assert "comment to address" not in page.content.decode()
    assert "Every comment is addressed" in page.content.decode()


def test_a_reply_refused_because_the_comment_was_resolved_is_shown_again(client, submitted, reviewer, lead_a):
    comment = workflow.comment_add(submission=submitted, author=reviewer, body="Check PDQ")
    workflow.submission_return(submission=submitted, reviewer=reviewer, note="See comment")
    ReviewComment.objects.filter(pk=comment.pk).update(resolved_at=timezone.now())
    client.force_login(lead_a)
    url = reverse("surveys:member-comment-reply", args=[submitted.organization.slug, comment.pk])

    response = client.post(url, {"body": "We switched to PDQ in March."}, follow=True)

    assert "We switched to PDQ in March." in response.content.decode()
    assert not comment.replies.exists()


def test_a_member_cannot_reply_to_another_organisations_comment(client, submitted, reviewer, member_b, org_b):
    comment = workflow.comment_add(submission=submitted, author=reviewer, body="Private")
    workflow.submission_return(submission=submitted, reviewer=reviewer, note="x")
    client.force_login(member_b)
    url = reverse("surveys:member-comment-reply", args=[org_b.slug, comment.pk])
    assert client.post(url, {"body": "hi"}).status_code == 404
    url = reverse("surveys:member-comments", args=[org_b.slug, submitted.pk])
    assert client.get(url).status_code == 404
    assert not comment.replies.exists()


def test_approving_a_stale_page_shows_who_acted_first(reviewer_client, submitted):
    other = UserFactory(staff_role="reviewer", first_name="Olga", last_name="Other")
    workflow.submission_return(submission=submitted, reviewer=other, note="Fix")
    response = reviewer_client.post(
        reverse("surveys:review-approve", args=[submitted.pk]), {"expected_status": "submitted"}, follow=True
    )
    assert "Olga Other returned this submission" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED


def test_a_note_refused_because_another_reviewer_acted_first_is_shown_again(reviewer_client, submitted):
    other = UserFactory(staff_role="reviewer", first_name="Olga", last_name="Other")
    workflow.submission_approve(submission=submitted, reviewer=other)
    note = "Your staff number looks like last year's; please check it with HR."
    response = reviewer_client.post(
        reverse("surveys:review-return", args=[submitted.pk]),
        {"expected_status": "submitted", "note": note},
        follow=True,
    )
    html = response.content.decode()
    assert "Olga Other approved this submission" in html
    assert "What you wrote was not saved" in html and "please check it with HR" in html
    # Shown once: the next visit is the plain page.
    again = reviewer_client.get(reverse("surveys:review-submission", args=[submitted.pk]))
    assert "What you wrote was not saved" not in again.content.decode()


def test_a_comment_refused_on_an_approved_submission_is_shown_again(reviewer_client, submitted, reviewer):
    workflow.submission_approve(submission=submitted, reviewer=reviewer)
    response = reviewer_client.post(
        reverse("surveys:review-comment", args=[submitted.pk]),
        {"body": "Is PDQ really in use?"},
        follow=True,
    )
    html = response.content.decode()
    assert "reopen it before commenting" in html
    assert "Is PDQ really in use?" in html


def test_returning_without_a_note_is_refused_with_a_message(reviewer_client, submitted):
    response = reviewer_client.post(
        reverse("surveys:review-return", args=[submitted.pk]),
        {"expected_status": "submitted", "note": ""},
        follow=True,
    )
    assert "Say what the member should change" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_resubmission_shows_what_changed_since_it_was_returned(
    reviewer_client, reviewer, submitted, lead_a
):
    workflow.submission_return(submission=submitted, reviewer=reviewer, note="Check")
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.ANSWER_CHANGED,
        submission=submitted,
        organization=submitted.organization,
        actor=lead_a,
        subject="image_hashing",
        old_value=["pdq", "photodna"],
        new_value=["photodna"],
    )
    workflow.submission_submit(submission=submitted, actor=lead_a)
    response = reviewer_client.get(reverse("surveys:review-submission", args=[submitted.pk]))
    assert response.context["changed_since_return"] == ["image_hashing"]
    rows = _rows(response)
    assert (
        rows["image_hashing"].changed_since_return and not rows["supplemental_reports"].changed_since_return
    )
    assert "1 answer changed (image_hashing)" in response.content.decode()


def test_an_administrator_reopens_with_a_reason(admin_client, submitted, reviewer):
    workflow.submission_approve(submission=submitted, reviewer=reviewer)
    response = admin_client.post(
        reverse("surveys:review-reopen", args=[submitted.pk]),
        {"expected_status": "approved", "note": "Wrong staff number"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.REOPENED


def test_accepting_a_proposal_from_the_review_page(reviewer_client, submitted):
    from surveys.models import MilepostProposal

    proposal = MilepostProposal.objects.create(
        submission=submitted, area="response", title="Survivor support", description="..."
    )
    reviewer_client.post(
        reverse("surveys:proposal-decide", args=[proposal.pk]),
        {"decision": "accept", "title": "Support survivors"},
    )
    proposal.refresh_from_db()
    assert proposal.milepost.title == "Support survivors" and proposal.milepost.introduced_year == 2027


def test_a_refused_rejection_keeps_the_edited_title_and_note_in_the_proposal_form(reviewer_client, submitted):
    from surveys.models import MilepostProposal

    proposal = MilepostProposal.objects.create(
        submission=submitted, area="response", title="Survivor support", description="..."
    )
    url = reverse("surveys:proposal-decide", args=[proposal.pk])
    response = reviewer_client.post(
        url, {"decision": "reject", "title": "Support for survivors", "note": "  "}
    )
    page = reviewer_client.get(response["Location"]).content.decode()

    assert "Say why the proposal is rejected" in page
    assert 'value="Support for survivors"' in page
    assert "It is back in the proposal's form below" in page
    proposal.refresh_from_db()
    assert proposal.status == MilepostProposal.Status.PENDING


def test_a_decision_on_a_proposal_decided_meanwhile_shows_the_note_that_was_not_saved(
    reviewer_client, submitted, reviewer
):
    from surveys.models import MilepostProposal

    proposal = MilepostProposal.objects.create(
        submission=submitted, area="response", title="Survivor support", description="..."
    )
    workflow.proposal_accept(proposal=proposal, reviewer=reviewer)
    response = reviewer_client.post(
        reverse("surveys:proposal-decide", args=[proposal.pk]),
        {"decision": "reject", "title": "Survivor support", "note": "Already covered by R-3"},
    )
    page = reviewer_client.get(response["Location"]).content.decode()

    assert "already accepted" in page
    assert "What you wrote was not saved" in page and "Already covered by R-3" in page
    assert "Copy it if you still need it" in page


# --- Bounded queries with 200 organisations -------------------------------------------------------------


def _load_full_questionnaires():
    milepost_catalogue_load(path_or_data=QUESTIONNAIRES / "mileposts.yaml")
    data = yaml.safe_load((QUESTIONNAIRES / "2025.yaml").read_text())
    questionnaire_load(path_or_data=data)
    questionnaire_load(path_or_data={**data, "year": 2026, "title": "Annual survey 2026"})


def _bulk_submissions(year: int, organizations, status: str) -> list[Submission]:
    from surveys.models import Milepost, SurveyCycle

    cycle = SurveyCycle.objects.get(year=year)
    submissions = Submission.objects.bulk_create(
        [Submission(organization=org, cycle=cycle, status=status) for org in organizations]
    )
    questions = list(Question.objects.filter(cycle=cycle).prefetch_related("options"))
    answers, through = [], []
    for submission in submissions:
        for question in questions:
            answer = Answer(submission=submission, question=question)
            if question.type == "yes_no":
                answer.value_bool = True
            elif question.type == "integer":
                answer.value_int = question.min_value or 1
            elif not question.is_choice:
                answer.value_text = "Text"
            answers.append(answer)
    Answer.objects.bulk_create(answers)
    by_question = {q.id: q for q in questions}
    for answer in answers:
        question = by_question[answer.question_id]
        if question.is_choice:
            through.append(
                Answer.options.through(answer_id=answer.pk, option_id=question.options.all()[0].pk)
            )
    Answer.options.through.objects.bulk_create(through)
    mileposts = list(Milepost.objects.all()[:5])
    SubmissionMilepost.objects.bulk_create(
        [
            SubmissionMilepost(submission=s, milepost=m, description="Did it")
            for s in submissions
            for m in mileposts
        ]
    )
    return submissions


@pytest.fixture
def two_hundred_organizations():
    _load_full_questionnaires()
    organizations = Organization.objects.bulk_create(
        [Organization(name=f"Member {n:03}", slug=f"member-{n:03}") for n in range(200)]
    )
    _bulk_submissions(2025, organizations, Status.APPROVED)
    return _bulk_submissions(2026, organizations[:150], Status.SUBMITTED)


REVIEW_PAGE_MAX_QUERIES = 25
PARTICIPATION_MAX_QUERIES = 15
QUEUE_MAX_QUERIES = 15


def test_the_review_page_runs_a_bounded_number_of_queries(
    reviewer_client, reviewer, two_hundred_organizations, django_assert_max_num_queries
):
    submission = two_hundred_organizations[0]
    question = Question.objects.filter(cycle=submission.cycle).first()
    for n in range(5):
        workflow.comment_add(submission=submission, author=reviewer, body=f"Comment {n}", question=question)
    with django_assert_max_num_queries(REVIEW_PAGE_MAX_QUERIES) as queries:
        response = reviewer_client.get(reverse("surveys:review-submission", args=[submission.pk]))
    print("review page queries:", len(queries))
    assert response.status_code == 200
    assert sum(len(block["rows"]) for block in response.context["sections"]) > 20


def test_the_participation_dashboard_runs_a_bounded_number_of_queries(
    reviewer_client, two_hundred_organizations, django_assert_max_num_queries
):
    with django_assert_max_num_queries(PARTICIPATION_MAX_QUERIES) as queries:
        response = reviewer_client.get(reverse("surveys:participation"), {"year": 2026})
    print("participation queries:", len(queries))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["organizations"], totals["submitted"], totals["not_started"]) == (200, 150, 50)
    assert response.context["rows"][0]["progress"] == 100


def test_the_queue_runs_a_bounded_number_of_queries(
    reviewer_client, two_hundred_organizations, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        response = reviewer_client.get(reverse("surveys:review-queue"))
    assert response.context["page"].paginator.count == 150


def test_participation_shows_every_organisation_with_status(reviewer_client, cycle):
    SubmissionFactory(organization=OrganizationFactory(name="Returned Co"), cycle=cycle, status="returned")
    OrganizationFactory(name="Silent Co")
    response = reviewer_client.get(reverse("surveys:participation"))
    content = response.content.decode()
    assert "Returned Co" in content and "Silent Co" in content
    assert response.context["totals"]["returned"] == 1 and response.context["totals"]["not_started"] == 1


# --- Audit log and exports ------------------------------------------------------------------------------


def test_the_audit_log_filters_by_organisation_user_and_date(admin_client, submitted, reviewer, lead_a):
    workflow.submission_return(submission=submitted, reviewer=reviewer, note="Check")
    other = SubmissionFactory(organization=OrganizationFactory(name="Other Org"), cycle=submitted.cycle)
    AuditEvent.objects.create(kind=AuditEvent.Kind.COMMENT, submission=other, organization=other.organization)
    url = reverse("surveys:audit-log")
    by_org = admin_client.get(url, {"organization": submitted.organization.name}).context["page"].events
    assert {e.organization_id for e in by_org} == {submitted.organization.pk}
    by_user = admin_client.get(url, {"actor": reviewer.email}).context["page"].events
    assert [(e.kind, e.new_value) for e in by_user] == [("transition", "returned")]
    future = admin_client.get(url, {"date_from": "2999-01-01"}).context["page"].events
    assert list(future) == []
    bad = admin_client.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "The end date is before the start date" in bad.content.decode()


def test_the_audit_export_is_csv_filtered_like_the_page(
    admin_client, submitted, reviewer, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.EXPORTS_DIR = tmp_path
    workflow.submission_return(submission=submitted, reviewer=reviewer, note='=HYPERLINK("x")')
    with django_capture_on_commit_callbacks(execute=True):
        queued = admin_client.post(reverse("surveys:audit-export"), {"actor": reviewer.email})
    response = admin_client.get(queued["Location"] + "download/")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["when", "event", "organization"]
    assert len(rows) == 2 and rows[1][8] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize(
    "value,safe",
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_spreadsheet_safe_neutralises_formulas(value, safe):
    assert spreadsheet_safe(value) == safe


def test_the_answers_export_has_one_row_per_organisation_and_question_and_is_spreadsheet_safe(
    reviewer_client, cycle
):
    evil = SubmissionFactory(organization=OrganizationFactory(name="=cmd|' /C calc'!A0"), cycle=cycle)
    answer_create(evil, "image_hashing", ["none"])
    answer_create(evil, "supplemental_reports", True)
    milepost = MilepostFactory(code="sbd_review_process")
    SubmissionMilepost.objects.create(submission=evil, milepost=milepost, description="x")
    response = reviewer_client.get(reverse("surveys:answers-export", args=[2026]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["organization", "year", "question", "value", "status"],
        ["'=cmd|' /C calc'!A0", "2026", "image_hashing", "none", "draft"],
        ["'=cmd|' /C calc'!A0", "2026", "supplemental_reports", "yes", "draft"],
        ["'=cmd|' /C calc'!A0", "2026", "milepost", "sbd_review_process", "draft"],
    ]


def test_an_exported_file_imports_back_as_it_was(reviewer_client, cycle, reviewer):
    from surveys.services import imports

    evil = SubmissionFactory(organization=OrganizationFactory(name="=cmd|' /C calc'!A0"), cycle=cycle)
    answer_create(evil, "supplemental_reports", True)
    response = reviewer_client.get(reverse("surveys:answers-export", args=[2026]))
    exported = b"".join(response.streaming_content).decode("utf-8-sig")
    Answer.objects.filter(submission=evil).update(value_bool=False)

    imports.responses_import(text=exported, actor=reviewer)

    assert Organization.objects.count() == 1  # matched "=cmd…", not a new "'=cmd…" organisation
    assert Answer.objects.get(submission=evil, question__code="supplemental_reports").value_bool is True


def test_a_member_never_sees_staff_pages(client, submitted, lead_a):
    client.force_login(lead_a)
    for url in (
        reverse("surveys:review-submission", args=[submitted.pk]),
        reverse("surveys:participation"),
        reverse("surveys:answers-export", args=[2026]),
        reverse("surveys:audit-log"),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "image_hashing" not in response.content.decode()


def test_the_review_page_of_an_unknown_submission_is_404(reviewer_client):
    assert reviewer_client.get(reverse("surveys:review-submission", args=[999999])).status_code == 404


def test_members_are_listed_in_membership_order_for_emails():
    # Guard: the e-mail helpers use memberships; a member without an active user is skipped.
    membership = MembershipFactory(role=Membership.Role.LEAD)
    membership.user.is_active = False
    membership.user.save()
    from surveys.services.workflow import _organization_emails

    assert _organization_emails(membership.organization_id) == []
