"""factory_boy factories: only required fields; tests set what they depend on."""

import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from surveys.models import (
    Membership,
    Milepost,
    Option,
    Organization,
    Question,
    Section,
    Submission,
    SurveyCycle,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Member Company {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.CONTRIBUTOR


class SurveyCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCycle
        django_get_or_create = ("year",)

    year = 2026
    title = factory.LazyAttribute(lambda o: f"Annual survey {o.year}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    cycle = factory.SubFactory(SurveyCycleFactory)
    code = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(int)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    cycle = factory.SelfAttribute("section.cycle")
    code = factory.Sequence(lambda n: f"question_{n}")
    type = Question.Type.YES_NO
    text = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(int)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory, type=Question.Type.MULTIPLE_CHOICE)
    code = factory.Sequence(lambda n: f"option_{n}")
    label = factory.Sequence(lambda n: f"Option {n}")
    position = factory.Sequence(int)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    organization = factory.SubFactory(OrganizationFactory)
    cycle = factory.SubFactory(SurveyCycleFactory)


class MilepostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milepost

    code = factory.Sequence(lambda n: f"milepost_{n}")
    area = "prevention"
    title = factory.Sequence(lambda n: f"Milepost {n}")


# --- Review workflow helpers (issue 4) ------------------------------------------------------------------


def review_questionnaire(year: int = 2026, *, opens_on=None, closes_on=None) -> SurveyCycle:
    """A small questionnaire for review tests: yes/no, single and multiple choice with `none`, a number."""
    cycle = SurveyCycleFactory(
        year=year, **{k: v for k, v in {"opens_on": opens_on, "closes_on": closes_on}.items() if v}
    )
    section = SectionFactory(cycle=cycle, code="detection", title="Detection", position=1)
    hashing = QuestionFactory(
        section=section,
        cycle=cycle,
        code="image_hashing",
        type=Question.Type.MULTIPLE_CHOICE,
        text="Which image hashing?",
    )
    for position, code in enumerate(["photodna", "pdq", "internal", "none"]):
        OptionFactory(question=hashing, code=code, label=code.title(), position=position)
    QuestionFactory(
        section=section,
        cycle=cycle,
        code="supplemental_reports",
        type=Question.Type.YES_NO,
        text="Supplemental reports?",
    )
    reporting = QuestionFactory(
        section=section,
        cycle=cycle,
        code="authority_reporting",
        type=Question.Type.SINGLE_CHOICE,
        text="How do you report?",
    )
    for position, code in enumerate(["api_only", "manual_only", "none"]):
        OptionFactory(question=reporting, code=code, label=code, position=position)
    QuestionFactory(
        section=section,
        cycle=cycle,
        code="trust_safety_staff",
        type=Question.Type.INTEGER,
        text="Staff?",
        required=False,
        min_value=0,
        max_value=1000,
    )
    return cycle


def answer_create(submission: Submission, code: str, value, *, provenance: str = "new"):
    """An Answer row (with option rows) set directly, for tests that do not go through the member pages."""
    from surveys.models import Answer

    question = Question.objects.get(cycle_id=submission.cycle_id, code=code)
    answer = Answer(submission=submission, question=question, provenance=provenance)
    if question.type == Question.Type.YES_NO:
        answer.value_bool = value
    elif question.type == Question.Type.INTEGER:
        answer.value_int = value
    elif not question.is_choice:
        answer.value_text = value
    answer.save()
    if question.is_choice:
        codes = value if isinstance(value, list) else [value]
        answer.options.set(Option.objects.filter(question=question, code__in=codes))
    return answer
