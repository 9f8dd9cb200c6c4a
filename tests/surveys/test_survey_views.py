import pytest
from django.urls import reverse

from surveys.models import Answer, Submission
from surveys.services import answers as answer_services
from surveys.services.answers import section_save, submission_start
from surveys.services.exports import spreadsheet_safe
from surveys.views.survey import KEPT_MESSAGE
from tests.factories import MembershipFactory, answer_everything, big_section

pytestmark = pytest.mark.django_db


def section_url(org, code, year=2025):
    return reverse(
        "surveys:survey-section", kwargs={"org_slug": org.slug, "year": year, "section_code": code}
    )


def page_url(name, org, year=2025):
    return reverse(f"surveys:{name}", kwargs={"org_slug": org.slug, "year": year})


def form_data(response) -> dict:
    """What the browser would post back: the hidden base token and nothing else."""
    return {"base": response.context["form"]["base"].value()}


def value(org, code):
    answer = Answer.objects.filter(submission__organization=org, question__code=code).first()
    return answer and (answer.value_int if answer.value_int is not None else answer.value_bool)


def test_opening_a_section_starts_the_survey_and_shows_its_questions(contributor_client, org_a, open_cycle):
    response = contributor_client.get(section_url(org_a, "profile"))

    assert response.status_code == 200
    assert Submission.objects.filter(organization=org_a, cycle=open_cycle).exists()
    html = response.content.decode()
    assert "Which kinds of online service does your company operate?" in html
    assert 'data-condition-question="minors_allowed"' in html
    assert 'data-condition-value="yes"' in html
    assert "0 of 5 answered" in html  # minimum_age is hidden until minors are allowed


def test_save_keeps_valid_answers_and_shows_invalid_ones_as_typed(contributor_client, org_a, open_cycle):
    url = section_url(org_a, "profile")
    data = form_data(contributor_client.get(url))

    response = contributor_client.post(url, {**data, "trust_safety_staff": "lots", "minors_allowed": "yes"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a whole number between 0 and 100000" in html
    assert 'value="lots"' in html
    assert value(org_a, "minors_allowed") is True
    assert 'id="q-minimum_age"' in html and 'id="q-minimum_age" data-question' in html

    response = contributor_client.post(
        url, {**form_data(response), "trust_safety_staff": "40", "minors_allowed": "yes"}
    )
    assert response.status_code == 302
    assert value(org_a, "trust_safety_staff") == 40


def test_save_and_continue_goes_to_the_next_section(contributor_client, org_a, open_cycle):
    url = section_url(org_a, "transparency")
    data = form_data(contributor_client.get(url))

    response = contributor_client.post(url, {**data, "continue": "1"})

    assert response["Location"] == page_url("survey-mileposts", org_a)


def test_a_conflicting_save_shows_both_answers_and_lets_the_person_choose(client, org_a, open_cycle):
    ana = MembershipFactory(organization=org_a, user__first_name="Ana").user
    ben = MembershipFactory(organization=org_a, user__first_name="Ben", user__last_name="Baker").user
    url = section_url(org_a, "profile")
    client.force_login(ana)
    anas_page = form_data(client.get(url))
    client.force_login(ben)
    client.post(url, {**form_data(client.get(url)), "trust_safety_staff": "20"})

    client.force_login(ana)
    response = client.post(url, {**anas_page, "trust_safety_staff": "30", "minors_allowed": "no"})

    html = response.content.decode()
    assert "Ben Baker" in html and "Keep your answer: <strong>30</strong>" in html
    assert "answer: <strong>20</strong>" in html
    assert value(org_a, "trust_safety_staff") == 20
    assert value(org_a, "minors_allowed") is False
    response = client.post(
        url, {**form_data(response), "trust_safety_staff": "30", "resolve-trust_safety_staff": "mine"}
    )
    assert response.status_code == 302
    assert value(org_a, "trust_safety_staff") == 30


def test_an_expired_session_keeps_what_was_typed(client, contributor_a, org_a, open_cycle):
    url = section_url(org_a, "profile")
    client.force_login(contributor_a)
    data = form_data(client.get(url))
    client.logout()

    response = client.post(url, {**data, "trust_safety_staff": "77", "service_types": ["gaming", "dating"]})

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.post(
        reverse("login"), {"username": contributor_a.email, "password": "correct horse battery staple"}
    )
    response = client.get(url)
    html = response.content.decode()
    assert KEPT_MESSAGE in html
    assert 'value="77"' in html
    assert response.context["form"]["service_types"].value() == ["gaming", "dating"]
    assert value(org_a, "trust_safety_staff") is None  # Nothing is saved until they check it and save.


def test_a_member_of_another_organisation_gets_404(client, member_b, org_a, org_b, open_cycle):
    submission_start(organization=org_a, cycle=open_cycle)
    client.force_login(member_b)

    for url in (
        section_url(org_a, "profile"),
        page_url("survey-review", org_a),
        page_url("survey-csv", org_a),
        page_url("survey-mileposts", org_a),
    ):
        assert client.get(url).status_code == 404
    assert client.post(page_url("survey-submit", org_a)).status_code == 404
    # Their own organisation's review page works before anyone started it (opening it starts the survey).
    assert client.get(page_url("survey-review", org_b)).status_code == 200


def test_a_closed_survey_is_read_only(contributor_client, org_a, closed_cycle):
    submission = submission_start(organization=org_a, cycle=closed_cycle)
    section_save(
        submission=submission,
        section=closed_cycle.sections.get(code="profile"),
        actor=None,
        data={"trust_safety_staff": 5},
        base_versions={},
        allow_closed_cycle=True,
    )
    url = section_url(org_a, "profile")

    response = contributor_client.get(url)
    html = response.content.decode()
    assert "closed on" in html and "answers can no longer be changed" in html
    assert '<form method="post" novalidate class="survey-form"' not in html
    assert response.context["form"] is None

    contributor_client.post(url, {"trust_safety_staff": "6"})
    assert value(org_a, "trust_safety_staff") == 5


def test_a_save_after_the_lead_submitted_shows_what_was_typed(contributor_client, lead_a, org_a, open_cycle):
    url = section_url(org_a, "profile")
    data = form_data(contributor_client.get(url))
    submission = Submission.objects.get(organization=org_a, cycle=open_cycle)
    answer_everything(submission)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)

    response = contributor_client.post(url, {**data, "trust_safety_staff": "4321", "minors_allowed": "yes"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your answers were not saved" in html and "read-only until the coalition returns it" in html
    assert "4321" in html
    assert value(org_a, "trust_safety_staff") != 4321


def test_a_save_refused_midway_keeps_what_was_typed_on_screen(
    contributor_client, org_a, open_cycle, monkeypatch
):
    url = section_url(org_a, "profile")
    data = form_data(contributor_client.get(url))

    def refuse(**kwargs):
        raise answer_services.SaveError(
            "The 2025 survey closed on 1 March 2025, so answers can no longer be changed."
        )

    monkeypatch.setattr(answer_services, "section_save", refuse)
    response = contributor_client.post(url, {**data, "trust_safety_staff": "4321"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your answers were not saved. The 2025 survey closed" in html
    assert "4321" in html


def test_a_contributor_cannot_submit_but_a_lead_can(client, contributor_a, lead_a, org_a, open_cycle):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    answer_everything(submission)
    client.force_login(contributor_a)
    review = client.get(page_url("survey-review", org_a)).content.decode()
    assert "Only your organisation's lead can submit" in review
    client.post(page_url("survey-submit", org_a))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT

    client.force_login(lead_a)
    assert (
        "disabled"
        not in client.get(page_url("survey-review", org_a)).content.decode().split("Submit the 2025")[0][-80:]
    )
    response = client.post(page_url("survey-submit", org_a))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert (
        "read-only until the coalition returns it"
        in client.get(section_url(org_a, "profile")).content.decode()
    )


def test_the_review_page_links_every_missing_required_answer(lead_client, org_a, open_cycle):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    answer_everything(submission, except_section="detection")

    response = lead_client.get(page_url("survey-review", org_a))

    html = response.content.decode()
    assert "3 required answers missing" in html
    assert f'href="{section_url(org_a, "detection")}#q-image_hashing"' in html
    response = lead_client.post(page_url("survey-submit", org_a), follow=True)
    assert "3 required questions are not answered yet" in response.content.decode()


def test_mileposts_page_saves_ticked_mileposts_and_proposals(contributor_client, org_a, open_cycle):
    url = page_url("survey-mileposts", org_a)
    assert "Prevention" in contributor_client.get(url).content.decode()

    response = contributor_client.post(url, {"action": "mileposts", "advanced_sbd_review_process": "on"})
    assert "Describe in a sentence or two" in response.content.decode()
    contributor_client.post(
        url,
        {
            "action": "mileposts",
            "advanced_sbd_review_process": "on",
            "description_sbd_review_process": "Reviews",
        },
    )
    contributor_client.post(
        url, {"action": "propose", "area": "response", "title": "Survivor support", "description": "Helpline"}
    )

    submission = Submission.objects.get(organization=org_a)
    assert list(submission.mileposts.values_list("milepost__code", flat=True)) == ["sbd_review_process"]
    assert submission.milepost_proposals.get().title == "Survivor support"


def test_csv_download_is_the_own_submission_with_formulas_neutralised(contributor_client, org_a, open_cycle):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    section_save(
        submission=submission,
        section=open_cycle.sections.get(code="transparency"),
        actor=None,
        data={"transparency_context": '=HYPERLINK("http://evil")'},
        base_versions={},
    )

    response = contributor_client.get(page_url("survey-csv", org_a))

    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "'=HYPERLINK" in body
    assert [spreadsheet_safe(v) for v in ("+1", "-1", "@x", "ok")] == ["'+1", "'-1", "'@x", "ok"]


def test_the_organisation_page_shows_the_cycle_progress_and_last_editor(
    contributor_client, contributor_a, org_a, open_cycle
):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    section_save(
        submission=submission,
        section=open_cycle.sections.get(code="profile"),
        actor=contributor_a,
        data={"service_types": ["gaming"], "minors_allowed": True},
        base_versions={},
    )

    html = contributor_client.get(
        reverse("surveys:organization-detail", kwargs={"org_slug": org_a.slug})
    ).content.decode()

    assert "Annual survey 2025" in html
    assert "2 of 6 answered" in html
    assert contributor_a.display_name in html
    assert "Continue the survey" in html


def test_rendering_and_saving_a_60_question_section_is_bounded(
    contributor_client, org_a, open_cycle, django_assert_num_queries
):
    submission = submission_start(organization=org_a, cycle=open_cycle)
    section, questions = big_section(open_cycle)
    url = section_url(org_a, section.code)
    response = contributor_client.get(url)
    post = {**form_data(response)}
    for question in questions:
        post[question.code] = {
            "multiple_choice": ["a", "b"],
            "single_choice": "a",
            "yes_no": "yes",
            "integer": "5",
        }.get(question.type, "text")

    with django_assert_num_queries(SAVE_QUERIES):
        response = contributor_client.post(url, post)

    assert response.status_code == 302
    assert submission.answers.count() == 60
    with django_assert_num_queries(RENDER_QUERIES):
        response = contributor_client.get(url)
    assert response.content.decode().count('class="question ') == 60


# Measured with 6 and with 60 questions: the same. Session, user, membership (twice: the page and the
# navigation), cycle, submission, then sections, questions, options, answers, answer options; saving adds
# the service's lock and reads, one insert or update of all answers, option rows out and in, the audit
# rows, the submission's last editor, and the savepoints. Rendering also reads the reviewer comments (one query).
RENDER_QUERIES = 15
SAVE_QUERIES = 23
