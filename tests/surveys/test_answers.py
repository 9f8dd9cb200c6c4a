import datetime

import pytest
from django.utils import timezone

from surveys.conditions import answer_value
from surveys.models import (
    Answer,
    AuditEvent,
    MilepostProposal,
    Question,
    Section,
    Submission,
    SubmissionMilepost,
)
from surveys.selectors import submission_missing_required
from surveys.services.answers import (
    SaveError,
    answers_confirm_carried,
    milepost_propose,
    mileposts_save,
    section_save,
    submission_start,
)
from surveys.services.questionnaires import cycle_copy
from surveys.services.workflow import TransitionError, submission_submit
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, big_section, big_section_data

pytestmark = pytest.mark.django_db

Provenance = Answer.Provenance


def values(submission) -> dict:
    answers = (
        Answer.objects.filter(submission=submission).select_related("question").prefetch_related("options")
    )
    return {a.question.code: answer_value(a, a.question) for a in answers}


def save(submission, code, data, actor=None, **kwargs):
    section = Section.objects.get(cycle=submission.cycle, code=code)
    kwargs.setdefault("base_versions", {})
    return section_save(submission=submission, section=section, actor=actor, data=data, **kwargs)


@pytest.fixture
def submission(open_cycle):
    return submission_start(organization=OrganizationFactory(), cycle=open_cycle)


def test_saving_a_section_stores_every_type_and_records_each_change(submission):
    person = UserFactory()

    result = save(
        submission,
        "profile",
        {
            "service_types": ["messaging", "gaming"],
            "company_size_band": "employees_50_249",
            "trust_safety_staff": 12,
            "minors_allowed": True,
            "minimum_age": 13,
        },
        actor=person,
    )
    save(
        submission,
        "transparency",
        {"transparency_report_published": True, "transparency_report_url": "x.org"},
        actor=person,
    )

    assert sorted(result.saved) == [
        "company_size_band",
        "minimum_age",
        "minors_allowed",
        "service_types",
        "trust_safety_staff",
    ]
    assert values(submission)["service_types"] == ["gaming", "messaging"]
    assert values(submission)["transparency_report_url"] == "x.org"
    answer = Answer.objects.get(submission=submission, question__code="trust_safety_staff")
    assert (answer.value_int, answer.version, answer.provenance, answer.updated_by) == (12, 1, "new", person)
    event = AuditEvent.objects.get(subject="service_types")
    assert (event.kind, event.old_value, event.new_value, event.actor) == (
        "answer_changed",
        None,
        ["gaming", "messaging"],
        person,
    )
    submission.refresh_from_db()
    assert submission.last_edited_by == person


def test_saving_the_same_values_again_changes_nothing(submission):
    save(submission, "profile", {"trust_safety_staff": 12, "service_types": ["gaming"]})

    result = save(submission, "profile", {"trust_safety_staff": 12, "service_types": ["gaming"]})

    assert result.saved == []
    assert AuditEvent.objects.filter(kind="answer_changed").count() == 2
    assert Answer.objects.get(question__code="trust_safety_staff").version == 1


def test_a_hidden_question_keeps_its_stale_answer_but_it_is_not_visible_nor_required(submission):
    save(submission, "profile", {"minors_allowed": True, "minimum_age": 13})
    assert Answer.objects.get(question__code="minimum_age").is_visible

    save(submission, "profile", {"minors_allowed": False})

    stale = Answer.objects.get(question__code="minimum_age")
    assert (stale.value_int, stale.is_visible) == (13, False)
    assert "minimum_age" not in {q.code for q in submission_missing_required(submission=submission)}
    save(submission, "profile", {"minors_allowed": True})
    assert Answer.objects.get(question__code="minimum_age").is_visible


def test_a_condition_on_another_section_updates_visibility_there(submission):
    save(submission, "detection", {"image_hashing": ["internal"], "internal_hashing_shared": True})

    save(submission, "detection", {"image_hashing": ["photodna"]})

    assert not Answer.objects.get(question__code="internal_hashing_shared").is_visible


def test_a_colleagues_newer_change_is_returned_as_a_conflict_not_overwritten(submission):
    ana, ben = UserFactory(first_name="Ana", last_name="A"), UserFactory(first_name="Ben", last_name="B")
    save(submission, "profile", {"trust_safety_staff": 10, "company_size_band": "employees_under_50"})
    loaded = {"trust_safety_staff": 1, "company_size_band": 1, "minors_allowed": 0}
    seen = {"trust_safety_staff": 10, "company_size_band": "employees_under_50", "minors_allowed": None}

    save(submission, "profile", {"trust_safety_staff": 20}, actor=ben, base_versions=loaded, base_values=seen)
    result = save(
        submission,
        "profile",
        {"trust_safety_staff": 30, "company_size_band": "employees_50_249", "minors_allowed": True},
        actor=ana,
        base_versions=loaded,
        base_values=seen,
    )

    assert sorted(result.saved) == ["company_size_band", "minors_allowed"]
    [conflict] = result.conflicts
    assert (conflict.question.code, conflict.mine, conflict.theirs, conflict.by) == (
        "trust_safety_staff",
        30,
        20,
        ben,
    )
    assert values(submission)["trust_safety_staff"] == 20

    # Choosing her own answer: saved against the version she was shown.
    result = save(
        submission,
        "profile",
        {"trust_safety_staff": 30},
        actor=ana,
        base_versions={"trust_safety_staff": conflict.version},
        base_values={"trust_safety_staff": 20},
    )
    assert result.saved == ["trust_safety_staff"] and not result.conflicts
    assert values(submission)["trust_safety_staff"] == 30


def test_an_answer_only_a_colleague_changed_keeps_the_colleagues_value(submission):
    ana, ben = UserFactory(), UserFactory()
    save(submission, "profile", {"trust_safety_staff": 10})
    loaded, seen = (
        {"trust_safety_staff": 1, "minors_allowed": 0},
        {"trust_safety_staff": 10, "minors_allowed": None},
    )
    save(submission, "profile", {"trust_safety_staff": 20}, actor=ben, base_versions=loaded, base_values=seen)

    result = save(
        submission,
        "profile",
        {"trust_safety_staff": 10, "minors_allowed": False},
        actor=ana,
        base_versions=loaded,
        base_values=seen,
    )

    assert result.saved == ["minors_allowed"] and not result.conflicts
    assert values(submission)["trust_safety_staff"] == 20


def _approved_last_year(open_cycle, organization):
    """The organisation's approved 2025 submission and an open 2026 cycle copied from 2025."""
    today = timezone.localdate()
    last_year = submission_start(organization=organization, cycle=open_cycle)
    save(
        last_year,
        "profile",
        {"service_types": ["gaming", "other"], "minors_allowed": True, "minimum_age": 13},
    )
    save(last_year, "detection", {"image_hashing": ["photodna"]})
    save(last_year, "response", {"supplemental_reports": True})
    mileposts_save(submission=last_year, actor=None, advanced={"sbd_review_process": "We did it."})
    Submission.objects.filter(pk=last_year.pk).update(status=Submission.Status.APPROVED)
    new_cycle = cycle_copy(
        source=open_cycle,
        year=2026,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )
    Question.objects.get(cycle=new_cycle, code="supplemental_reports").delete()
    open_cycle.closes_on = today - datetime.timedelta(days=2)
    open_cycle.opens_on = today - datetime.timedelta(days=20)
    open_cycle.save()
    return new_cycle


def test_a_new_cycle_starts_with_last_years_approved_answers_marked_from_last_year(open_cycle):
    organization = OrganizationFactory()
    new_cycle = _approved_last_year(open_cycle, organization)

    submission = submission_start(organization=organization, cycle=new_cycle)

    assert values(submission) == {
        "service_types": ["gaming", "other"],
        "minors_allowed": True,
        "minimum_age": 13,
        "image_hashing": ["photodna"],
    }
    assert set(Answer.objects.filter(submission=submission).values_list("provenance", flat=True)) == {
        "carried"
    }
    assert Answer.objects.filter(submission=submission, question__cycle=new_cycle).count() == 4
    assert not SubmissionMilepost.objects.filter(submission=submission).exists()
    assert submission_start(organization=organization, cycle=new_cycle) == submission


def test_the_carry_forward_is_recorded_as_milepost_s_doing_not_as_an_edit_by_whoever_opened_the_survey(
    open_cycle,
):
    organization = OrganizationFactory()
    lead = UserFactory(email="lead@carry.example")
    new_cycle = _approved_last_year(open_cycle, organization)

    submission = submission_start(organization=organization, cycle=new_cycle, actor=lead)

    events = AuditEvent.objects.filter(submission=submission, kind=AuditEvent.Kind.ANSWER_CHANGED)
    assert events.count() == 4
    assert set(events.values_list("actor", flat=True)) == {None}
    assert set(events.values_list("note", flat=True)) == {
        "Carried forward from 2025 when lead@carry.example opened the survey"
    }


def test_carried_answers_become_confirmed_or_changed(open_cycle):
    organization = OrganizationFactory()
    submission = submission_start(
        organization=organization, cycle=_approved_last_year(open_cycle, organization)
    )

    save(submission, "profile", {"minimum_age": 16, "minors_allowed": True}, confirm_carried=True)
    answers_confirm_carried(
        submission=submission,
        section=Section.objects.get(cycle=submission.cycle, code="detection"),
        actor=None,
    )

    provenance = dict(
        Answer.objects.filter(submission=submission).values_list("question__code", "provenance")
    )
    assert provenance == {
        "minimum_age": "changed",
        "minors_allowed": "confirmed",
        "service_types": "confirmed",
        "image_hashing": "confirmed",
    }


def test_submitting_is_refused_while_required_answers_are_missing(submission):
    lead = MembershipFactory(organization=submission.organization, role="lead").user
    save(submission, "profile", {"service_types": ["gaming"]})

    with pytest.raises(TransitionError, match="required questions are not answered yet"):
        submission_submit(submission=submission, actor=lead)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


def test_a_closed_cycle_refuses_saves_unless_staff_returned_the_submission(closed_cycle):
    submission = submission_start(organization=OrganizationFactory(), cycle=closed_cycle)

    with pytest.raises(SaveError, match="closed on"):
        save(submission, "profile", {"trust_safety_staff": 3})
    with pytest.raises(SaveError, match="closed on"):
        mileposts_save(submission=submission, actor=None, advanced={})

    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RETURNED)
    assert save(submission, "profile", {"trust_safety_staff": 3}).saved == ["trust_safety_staff"]


def test_a_submitted_survey_is_read_only(submission):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)

    with pytest.raises(SaveError, match="read-only until the coalition returns it"):
        save(submission, "profile", {"trust_safety_staff": 3})


def test_mileposts_need_a_description_and_replace_last_saved_set(submission):
    with pytest.raises(SaveError, match="Describe what you did"):
        mileposts_save(submission=submission, actor=None, advanced={"sbd_review_process": "  "})
    with pytest.raises(SaveError, match="not in the 2025 catalogue: made_up"):
        mileposts_save(submission=submission, actor=None, advanced={"made_up": "x"})

    mileposts_save(
        submission=submission,
        actor=None,
        advanced={"sbd_review_process": "Reviews", "parental_controls": "Tools"},
    )
    mileposts_save(submission=submission, actor=None, advanced={"parental_controls": "Better tools"})

    assert dict(submission.mileposts.values_list("milepost__code", "description")) == {
        "parental_controls": "Better tools"
    }
    assert AuditEvent.objects.filter(kind="milepost_changed").count() == 4


def test_a_member_can_propose_a_milepost(submission):
    person = UserFactory()

    proposal = milepost_propose(
        submission=submission,
        actor=person,
        area="detection",
        title="Detect live abuse",
        description="Built it.",
    )

    assert (proposal.status, proposal.proposed_by) == (MilepostProposal.Status.PENDING, person)
    with pytest.raises(SaveError, match="title"):
        milepost_propose(submission=submission, actor=person, area="detection", title="", description="x")


def test_saving_a_60_question_section_costs_a_fixed_number_of_queries(
    submission, django_assert_max_num_queries, django_assert_num_queries
):
    section, questions = big_section(submission.cycle)
    person = UserFactory()
    # Savepoint, lock, questions, options, answers, (answer options), insert or update answers, option rows
    # out and in, audit, submission, release: the same for 6 questions or 600.
    with django_assert_num_queries(11):
        result = section_save(
            submission=submission,
            section=section,
            actor=person,
            data=big_section_data(questions),
            base_versions={},
        )
    assert len(result.saved) == 60
    with django_assert_max_num_queries(12):
        result = section_save(
            submission=submission,
            section=section,
            actor=person,
            data=big_section_data(questions, seed=1),
            base_versions={q.code: 1 for q in questions},
        )
    assert len(result.saved) == 60
