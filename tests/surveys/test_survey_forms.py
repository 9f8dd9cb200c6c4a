import pytest
from django.http import QueryDict

from surveys.answer_types import NONE_TOGETHER
from surveys.forms.survey import MilepostsForm, SectionForm
from surveys.models import Milepost, Question
from surveys.services.answers import section_save, submission_start
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def form_for(cycle, section_code, data=None, answers=None):
    questions = list(
        Question.objects.filter(cycle=cycle, section__code=section_code)
        .prefetch_related("options")
        .order_by("position")
    )
    if data is not None:
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        data = query
    return SectionForm(data, questions=questions, answers=answers or {})


def test_an_empty_section_is_valid_because_required_is_only_checked_on_submit(open_cycle):
    form = form_for(open_cycle, "profile", {})

    assert form.is_valid()
    assert form.plain_values() == {
        "service_types": [],
        "company_size_band": None,
        "trust_safety_staff": None,
        "minors_allowed": None,
        "minimum_age": None,
        "messaging_encryption": None,
    }


def test_each_type_turns_into_its_plain_value(open_cycle):
    form = form_for(
        open_cycle,
        "profile",
        {
            "service_types": ["messaging", "gaming"],
            "company_size_band": "employees_50_249",
            "trust_safety_staff": "12,500",
            "minors_allowed": "yes",
            "minimum_age": "13",
        },
    )

    assert form.is_valid(), form.errors
    values = form.plain_values()
    assert values["service_types"] == ["gaming", "messaging"]
    assert (values["company_size_band"], values["trust_safety_staff"], values["minors_allowed"]) == (
        "employees_50_249",
        12500,
        True,
    )
    assert form_for(open_cycle, "transparency", {"transparency_context": "  Notes  "}).is_valid()


@pytest.mark.parametrize("typed", ["abc", "-1", "100001", "1.5"])
def test_a_whole_number_outside_its_range_gets_a_plain_message(open_cycle, typed):
    form = form_for(
        open_cycle, "profile", {"trust_safety_staff": typed, "company_size_band": "employees_under_50"}
    )

    assert not form.is_valid()
    assert form.errors["trust_safety_staff"] == ["Enter a whole number between 0 and 100000"]
    # The valid answers are still saved; the invalid one is left out.
    assert form.plain_values()["company_size_band"] == "employees_under_50"
    assert "trust_safety_staff" not in form.plain_values()


def test_minimum_age_has_its_own_range(open_cycle):
    form = form_for(open_cycle, "profile", {"minimum_age": "22"})

    assert form.errors["minimum_age"] == ["Enter a whole number between 0 and 21"]


def test_none_cannot_be_ticked_with_another_option(open_cycle):
    form = form_for(open_cycle, "detection", {"image_hashing": ["none", "photodna"], "classifiers": ["none"]})

    assert not form.is_valid()
    assert form.errors["image_hashing"] == [NONE_TOGETHER]
    assert form.plain_values()["classifiers"] == ["none"]


def test_unknown_choices_are_refused(open_cycle):
    form = form_for(
        open_cycle,
        "profile",
        {
            "minors_allowed": "maybe",
            "company_size_band": "huge",
            "service_types": ["gaming", "teleportation"],
        },
    )

    assert set(form.errors) == {"minors_allowed", "company_size_band", "service_types"}


def test_short_text_has_a_length_limit(open_cycle):
    form = form_for(open_cycle, "transparency", {"transparency_report_url": "x" * 501})

    assert "transparency_report_url" in form.errors


def test_the_form_remembers_versions_and_values_it_was_loaded_with(open_cycle):
    submission = submission_start(organization=OrganizationFactory(), cycle=open_cycle)
    section = open_cycle.sections.get(code="profile")
    section_save(
        submission=submission, section=section, actor=None, data={"minors_allowed": True}, base_versions={}
    )
    answers = {a.question_id: a for a in submission.answers.prefetch_related("options")}
    loaded = form_for(open_cycle, "profile", answers=answers)
    assert loaded.initial["minors_allowed"] == "yes"

    posted = form_for(open_cycle, "profile", {"base": loaded.initial["base"]})
    versions, values = posted.seen()
    assert (versions["minors_allowed"], values["minors_allowed"]) == (1, True)
    assert (versions["minimum_age"], values["minimum_age"]) == (0, None)
    assert form_for(open_cycle, "profile", {"base": "tampered"}).seen() == ({}, {})


def test_a_ticked_milepost_needs_a_description(open_cycle):
    mileposts = list(Milepost.objects.filter(code__in=["sbd_review_process", "parental_controls"]))
    form = MilepostsForm(
        {
            "advanced_sbd_review_process": "on",
            "advanced_parental_controls": "on",
            "description_parental_controls": "x",
        },
        mileposts=mileposts,
    )

    assert not form.is_valid()
    assert list(form.errors) == ["description_sbd_review_process"]
