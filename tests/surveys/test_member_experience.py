"""What members see around their survey: progress before it starts, where to continue, the return loop,
the submit confirmation for answers carried from last year, the error summary and recent changes."""

import re

import pytest
from django.urls import reverse

from surveys.models import Answer, AuditEvent, Question, ReviewComment, Section, Submission
from surveys.services import workflow
from surveys.services.answers import section_save, submission_start
from tests.factories import COMPLETE, UserFactory, answer_everything
from tests.surveys.test_answers import _approved_last_year

pytestmark = pytest.mark.django_db


def home(client, org):
    return client.get(reverse("surveys:organization-detail", kwargs={"org_slug": org.slug})).content.decode()


def page_url(name, org, year):
    return reverse(f"surveys:{name}", kwargs={"org_slug": org.slug, "year": year})


def save(submission, code, data, actor=None):
    section = Section.objects.get(cycle=submission.cycle, code=code)
    return section_save(submission=submission, section=section, actor=actor, data=data, base_versions={})


def progress_rows(html) -> dict[str, str]:
    return dict(re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>\s*<td>(\d+ of \d+ answered)', html))


def test_before_the_survey_starts_home_counts_the_answers_opening_it_fills_in(lead_client, org_a, open_cycle):
    new_cycle = _approved_last_year(open_cycle, org_a)

    before = home(lead_client, org_a)

    assert not Submission.objects.filter(cycle=new_cycle).exists()  # looking does not start it
    assert "Opening the survey fills in" in before and "4 answers from your 2025 survey" in before
    # Last year: three profile answers (minimum age shown because minors are allowed) and one detection answer.
    assert progress_rows(before)["About your services"] == "3 of 6 answered"
    assert progress_rows(before)["Detection"].startswith("1 of ")

    lead_client.get(page_url("survey-review", org_a, 2026))  # the review page works, and starts it
    assert Submission.objects.filter(organization=org_a, cycle=new_cycle).exists()
    assert progress_rows(home(lead_client, org_a)) == progress_rows(before)


def test_the_review_page_of_an_unstarted_open_survey_starts_it(lead_client, org_a, open_cycle):
    response = lead_client.get(page_url("survey-review", org_a, 2025))

    assert response.status_code == 200
    assert Submission.objects.filter(organization=org_a, cycle=open_cycle).exists()


def test_continue_the_survey_opens_the_section_this_person_last_saved(lead_client, lead_a, org_a, open_cycle):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    save(submission, "detection", {"image_hashing": ["photodna"]}, actor=lead_a)
    save(submission, "profile", {"trust_safety_staff": 3}, actor=UserFactory())  # a colleague, later

    html = home(lead_client, org_a)

    link = re.search(r'<a class="btn btn-primary" href="([^"]+)">Continue the survey</a>', html)
    assert link and link.group(1).endswith("/survey/2025/detection/")


def test_recent_changes_name_the_question_not_its_code(lead_client, lead_a, org_a, open_cycle):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    save(submission, "detection", {"image_hashing": ["photodna"]}, actor=lead_a)

    html = home(lead_client, org_a)

    recent = html[html.index("Recent changes") :]
    assert Question.objects.get(cycle=open_cycle, code="image_hashing").text in recent
    assert "<code>image_hashing</code>" not in recent


def test_milepost_progress_is_on_the_organisation_home(lead_client, lead_a, org_a, open_cycle):
    from surveys.services.answers import mileposts_save

    submission = submission_start(organization=org_a, cycle=open_cycle)
    mileposts_save(submission=submission, actor=lead_a, advanced={"sbd_review_process": "Reviews at launch."})

    html = home(lead_client, org_a)

    assert re.search(r'data-testid="milepost-progress">1 advanced: Introduce safety-by-design reviews', html)


def _ready_to_submit_with_carried(open_cycle, org_a):
    submission = submission_start(organization=org_a, cycle=_approved_last_year(open_cycle, org_a))
    save(
        submission,
        "profile",
        {"company_size_band": "employees_under_50", "messaging_encryption": "no_messaging"},
    )
    save(submission, "detection", {"video_hashing": ["none"], "classifiers": ["none"]})
    for code in ("prevention", "response", "transparency"):
        save(submission, code, {k: v for k, v in COMPLETE[code].items() if k != "supplemental_reports"})
    return submission


def test_submitting_with_unconfirmed_carried_answers_asks_for_confirmation(lead_client, org_a, open_cycle):
    submission = _ready_to_submit_with_carried(open_cycle, org_a)
    carried = set(
        Answer.objects.filter(submission=submission, provenance="carried").values_list(
            "question__code", flat=True
        )
    )
    assert carried == {"service_types", "minors_allowed", "minimum_age", "image_hashing"}

    review = lead_client.get(page_url("survey-review", org_a, 2026)).content.decode()
    assert "4 answers carried forward from last year have not been confirmed" in review
    assert 'name="confirm_carried"' in review

    response = lead_client.post(page_url("survey-submit", org_a, 2026), follow=True)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    assert "4 answers carried forward from last year have not been confirmed" in response.content.decode()

    lead_client.post(page_url("survey-submit", org_a, 2026), {"confirm_carried": "yes"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert not Answer.objects.filter(submission=submission, provenance="carried").exists()
    confirmed = AuditEvent.objects.filter(submission=submission, note="Confirmed")
    assert set(confirmed.values_list("subject", flat=True)) == carried


def _returned(open_cycle, org_a, lead_a, reviewer):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    answer_everything(submission)
    workflow.submission_submit(submission=submission, actor=lead_a)
    hashing = Question.objects.get(cycle=open_cycle, code="image_hashing")
    reports = Question.objects.get(cycle=open_cycle, code="supplemental_reports")
    workflow.comment_add(
        submission=submission, author=reviewer, body="Which tools exactly?", question=hashing
    )
    workflow.comment_add(submission=submission, author=reviewer, body="Really none?", question=reports)
    workflow.submission_return(submission=submission, reviewer=reviewer, note="Two answers look wrong.")
    return submission


def test_a_returned_survey_shows_the_note_and_the_comments_to_address_until_each_is_answered(
    lead_client, lead_a, org_a, open_cycle, reviewer
):
    submission = _returned(open_cycle, org_a, lead_a, reviewer)

    html = home(lead_client, org_a)
    assert "Returned: 2 comments to address" in html
    assert "Two answers look wrong." in html
    assert "/survey/2025/detection/#q-image_hashing" in html
    assert (
        "Returned: 2 comments to address"
        in lead_client.get(page_url("survey-review", org_a, 2025)).content.decode()
    )

    comment = ReviewComment.objects.get(body="Really none?")
    workflow.comment_reply(comment=comment, author=lead_a, body="Yes, we file none: no CSAM found.")
    assert "Returned: 1 comment to address" in home(lead_client, org_a)

    save(submission, "detection", {"image_hashing": ["photodna"]}, actor=lead_a)
    html = home(lead_client, org_a)
    assert "Returned: every comment addressed" in html
    assert "Addressed: answer changed" in html and "Addressed: you replied" in html


def test_the_staff_review_legend_does_not_call_an_unconfirmed_carried_answer_confirmed(
    reviewer_client, org_a, open_cycle, lead_a
):
    submission = _ready_to_submit_with_carried(open_cycle, org_a)
    workflow.submission_submit(submission=submission, actor=lead_a)

    html = reviewer_client.get(reverse("surveys:review-submission", args=[submission.pk])).content.decode()

    row = html[html.index('data-question="image_hashing"') :]
    row = row[: row.index("</tr>")]
    assert "Same as last year · not confirmed" in row


def test_the_error_summary_links_each_invalid_answer_to_its_field(contributor_client, org_a, open_cycle):
    url = reverse(
        "surveys:survey-section", kwargs={"org_slug": org_a.slug, "year": 2025, "section_code": "profile"}
    )
    base = contributor_client.get(url).context["form"]["base"].value()

    html = contributor_client.post(url, {"base": base, "trust_safety_staff": "lots"}).content.decode()

    summary = html[html.index("data-error-summary") :]
    summary = summary[: summary.index("</div>")]
    assert "There is a problem" in summary
    assert re.search(
        r'<a href="#id_trust_safety_staff">[^<]*: Enter a whole number between 0 and 100000</a>', summary
    )


def test_the_chooser_does_not_ask_who_you_act_for_when_the_header_says_it(client, org_a, org_b):
    from tests.factories import MembershipFactory

    person = MembershipFactory(organization=org_a).user
    MembershipFactory(organization=org_b, user=person)
    client.force_login(person)
    client.get(reverse("surveys:organization-detail", kwargs={"org_slug": org_b.slug}))

    html = client.get(reverse("surveys:organization-list")).content.decode()

    assert "Acting for: Bravo Games" in html
    assert "Which organisation are you acting for?" not in html
    assert "You are acting for <strong>Bravo Games</strong>" in html


def test_a_submission_made_seconds_ago_is_just_now_in_the_queue_not_0_minutes_ago(reviewer_client, org_a):
    from django.utils import timezone

    from tests.factories import SubmissionFactory, SurveyCycleFactory

    submission = SubmissionFactory(
        organization=org_a, cycle=SurveyCycleFactory(year=2026), status="submitted"
    )
    Submission.objects.filter(pk=submission.pk).update(submitted_at=timezone.now())

    html = reviewer_client.get(reverse("surveys:review-queue")).content.decode()

    assert "(just now)" in html and "0 minutes" not in html


def test_staff_filters_say_organisation_in_british_english(reviewer_client):
    html = reviewer_client.get(reverse("surveys:review-queue")).content.decode()

    assert re.search(r">\s*Organisation\s*</label>", html) and not re.search(
        r">\s*Organization\s*</label>", html
    )


def test_the_organisation_home_of_a_returned_survey_runs_a_bounded_number_of_queries(
    lead_client, lead_a, org_a, open_cycle, reviewer, django_assert_max_num_queries
):
    submission = _returned(open_cycle, org_a, lead_a, reviewer)
    for comment in ReviewComment.objects.filter(submission=submission):
        workflow.comment_reply(comment=comment, author=lead_a, body="Answered.")
    home(lead_client, org_a)  # warm the session

    with django_assert_max_num_queries(30):
        html = home(lead_client, org_a)
    assert "Returned: every comment addressed" in html
