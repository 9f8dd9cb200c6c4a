"""The demo's submissions: approved 2024 and 2025 answers that reproduce the published figures exactly, and
an open 2026 cycle in a realistic state (approved, submitted, one returned with comments, drafts, not started).

Call after `people.seed_people()` and `questionnaires.seed_questionnaires()`, with the answer counts to
reproduce (`metrics.demo.reference.answer_targets`: the published figures are metrics' to read).
Idempotent: a year that already has submissions is left alone, so seeding twice changes nothing. Everything
goes through the same services as the application (carry-forward, section saves, the review workflow), so the
audit log has the history.
"""

import random
import sys
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from ..models import (
    Answer,
    AuditEvent,
    Membership,
    Milepost,
    Organization,
    Question,
    Section,
    Submission,
    SubmissionMilepost,
    SurveyCycle,
    User,
)
from ..services import workflow
from ..services.answers import answer_value_set
from .answer_generator import build_year, catalogue_codes_by_area
from .people import ORGANIZATION_NAMES

REVIEWER_EMAIL = "reviewer@coalition.example"

# Figures of each approved year (the answer counts come from `answer_targets`). 2024's extra targets are
# not published that year but make the trends plausible (image classifiers 13 → 30 → 41).
APPROVED_YEARS = {
    2024: {
        "organizations": 45,
        "extra_targets": {"classifiers.image": 30, "classifiers.video": 21},
        "mileposts_advanced": 122,
        "members_advancing": 44,
    },
    2025: {"organizations": 57, "extra_targets": {}, "mileposts_advanced": 317, "members_advancing": 55},
}

OPEN_YEAR = 2026
# Who is where in the open cycle. The demo teams' people see each state: Aurora drafts, Brightline was
# returned with comments, Cobalt waits for review, Driftwood has not started.
RETURNED = ["Brightline Messaging"]
SUBMITTED = ["Cobalt Games", *ORGANIZATION_NAMES[16:24]]
APPROVED = ORGANIZATION_NAMES[4:16]
DRAFTS = ["Aurora Social", *ORGANIZATION_NAMES[24:34]]

MILEPOST_DESCRIPTIONS = (
    "Rolled out across our main services during the year.",
    "Completed a first version; we will extend it next year.",
    "Introduced with an external partner and documented for staff.",
    "Piloted on one service, then made the default everywhere.",
)


def seed_submissions(*, answer_targets: Callable[[int], dict[str, int]]) -> None:
    """Create the demo submissions for 2024, 2025 (approved) and 2026 (open); idempotent.

    `answer_targets(year)` gives the published answer counts (`QUESTION.OPTION` or `QUESTION`) to reproduce.
    """
    reviewer = User.objects.filter(email=REVIEWER_EMAIL).first()
    for year, plan in APPROVED_YEARS.items():
        _seed_approved_year(year, reviewer=reviewer, answer_targets=answer_targets(year), **plan)
    _seed_open_year(reviewer=reviewer)


def _questionnaire(cycle: SurveyCycle) -> dict:
    from ..services.questionnaires import questionnaire_export

    return questionnaire_export(cycle=cycle)


def _catalogue(year: int) -> dict[str, list[str]]:
    entries = (
        Milepost.objects.filter(is_active=True, introduced_year__lte=year)
        .order_by("code")
        .values("code", "area")
    )
    return catalogue_codes_by_area(list(entries))


def _leads() -> dict[int, User]:
    return {
        m.organization_id: m.user
        for m in Membership.objects.filter(role=Membership.Role.LEAD)
        .select_related("user")
        .order_by("created_at")
    }


# --- Approved years -------------------------------------------------------------------------------------


@transaction.atomic
def _seed_approved_year(
    year: int,
    *,
    reviewer: User | None,
    answer_targets: dict[str, int],
    organizations: int,
    extra_targets: dict[str, int],
    mileposts_advanced: int,
    members_advancing: int,
) -> None:
    cycle = SurveyCycle.objects.filter(year=year).first()
    if cycle is None or Submission.objects.filter(cycle=cycle).exists():
        return
    names = ORGANIZATION_NAMES[:organizations]
    orgs = {o.name: o for o in Organization.objects.filter(name__in=names)}
    missing = [name for name in names if name not in orgs]
    if missing:
        raise RuntimeError(f"Run people.seed_people() first: {len(missing)} demo organisations are missing.")
    generated = build_year(
        year=year,
        organizations=names,
        questionnaire=_questionnaire(cycle),
        targets={**answer_targets, **extra_targets},
        milepost_codes_by_area=_catalogue(year),
        mileposts_advanced=mileposts_advanced,
        members_advancing=members_advancing,
    )
    questions = {q.code: q for q in Question.objects.filter(cycle=cycle).prefetch_related("options")}
    options = {(q.code, o.code): o.pk for q in questions.values() for o in q.options.all()}
    mileposts = dict(Milepost.objects.values_list("code", "pk"))
    leads = _leads()
    now = timezone.now()

    submissions = Submission.objects.bulk_create(
        [Submission(organization=orgs[name], cycle=cycle, created_at=now, updated_at=now) for name in names]
    )
    answers, answer_codes, advanced, events = [], [], [], []
    rng = random.Random(f"demo-review:{year}")
    for name, submission in tqdm(
        zip(names, submissions, strict=True), total=len(names), desc=f"{year} answers", file=sys.stderr
    ):
        actor = leads.get(submission.organization_id)
        for code, value in generated[name].answers.items():
            question = questions[code]
            answer = Answer(submission=submission, question=question, updated_at=now, updated_by=actor)
            answers.append(answer)
            answer_codes.append((code, answer_value_set(answer, question, value)))
            events.append(
                AuditEvent.about(
                    submission,
                    kind=AuditEvent.Kind.ANSWER_CHANGED,
                    actor=actor,
                    subject=code,
                    new=value,
                    created_at=now,
                )
            )
        for code in generated[name].mileposts:
            description = rng.choice(MILEPOST_DESCRIPTIONS)
            advanced.append(
                SubmissionMilepost(
                    submission=submission,
                    milepost_id=mileposts[code],
                    description=description,
                    updated_by=actor,
                )
            )
            events.append(
                AuditEvent.about(
                    submission,
                    kind=AuditEvent.Kind.MILEPOST_CHANGED,
                    actor=actor,
                    subject=code,
                    new=description,
                    created_at=now,
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    through = Answer.options.through
    through.objects.bulk_create(
        [
            through(answer_id=answer.pk, option_id=options[(code, option)])
            for answer, (code, codes) in zip(answers, answer_codes, strict=True)
            for option in codes
        ],
        batch_size=10000,
    )
    SubmissionMilepost.objects.bulk_create(advanced, batch_size=5000)
    AuditEvent.objects.bulk_create(events, batch_size=5000)

    for submission in submissions:
        workflow.submission_submit_on_behalf(
            submission=submission, actor=None, note="Submitted by the member (demo history)."
        )
    workflow.submissions_approve(
        submissions=submissions, reviewer=reviewer, note=f"{year} survey approved.", notify=False
    )


# --- The open year --------------------------------------------------------------------------------------


def _seed_open_year(*, reviewer: User | None) -> None:
    from ..services.answers import mileposts_save, section_save, submission_start

    cycle = SurveyCycle.objects.filter(year=OPEN_YEAR).first()
    if cycle is None or Submission.objects.filter(cycle=cycle).exists():
        return
    names = list(ORGANIZATION_NAMES)
    generated = build_year(
        year=OPEN_YEAR,
        organizations=names,
        questionnaire=_questionnaire(cycle),
        targets={},
        milepost_codes_by_area=_catalogue(OPEN_YEAR),
        mileposts_advanced=120,
        members_advancing=40,
    )
    orgs = {o.name: o for o in Organization.objects.filter(name__in=names)}
    sections = list(Section.objects.filter(cycle=cycle).order_by("position"))
    questions_by_section: dict[int, list[str]] = {}
    for section_id, code in Question.objects.filter(cycle=cycle).values_list("section_id", "code"):
        questions_by_section.setdefault(section_id, []).append(code)
    leads = _leads()
    rng = random.Random("demo-review:2026")

    def fill(submission: Submission, name: str, *, complete: bool) -> None:
        """Carry-forward happened; answer what is missing (complete) or change a couple of answers (draft)."""
        actor = leads.get(submission.organization_id)
        values = generated[name].answers
        existing = set(Answer.objects.filter(submission=submission).values_list("question__code", flat=True))
        changes = set(rng.sample(sorted(values), k=min(2, len(values))))
        for section in sections:
            codes = questions_by_section.get(section.pk, [])
            data = {
                code: values[code]
                for code in codes
                if code in values and (code in changes or (complete and code not in existing))
            }
            section_save(
                submission=submission,
                section=section,
                actor=actor,
                data=data,
                base_versions={},
                confirm_carried=complete,
                allow_closed_cycle=True,
            )
        if complete:
            mileposts = generated[name].mileposts or [
                rng.choice(list(Milepost.objects.values_list("code", flat=True)))
            ]
            mileposts_save(
                submission=submission,
                actor=actor,
                advanced={code: rng.choice(MILEPOST_DESCRIPTIONS) for code in mileposts},
                allow_closed_cycle=True,
            )

    def submit(submission: Submission) -> Submission:
        lead = leads.get(submission.organization_id)
        if lead is not None:
            try:
                return workflow.submission_submit(submission=submission, actor=lead)
            except workflow.TransitionError:
                pass
        return workflow.submission_submit_on_behalf(
            submission=submission, actor=None, note="Sent by e-mail (demo)."
        )

    with transaction.atomic():
        started: dict[str, Submission] = {}
        plan = [(n, True) for n in APPROVED + SUBMITTED + RETURNED] + [(n, False) for n in DRAFTS]
        for name, complete in tqdm(plan, desc=f"{OPEN_YEAR} submissions", file=sys.stderr):
            submission = submission_start(
                organization=orgs[name], cycle=cycle, actor=leads.get(orgs[name].pk)
            )
            fill(submission, name, complete=complete)
            started[name] = submission
        for name in APPROVED + SUBMITTED + RETURNED:
            started[name] = submit(started[name])
        if reviewer is None:
            return
        workflow.submissions_approve(
            submissions=[started[n] for n in APPROVED], reviewer=reviewer, note="Thank you.", notify=False
        )
        for name in RETURNED:
            _return_with_comments(started[name], reviewer=reviewer)


def _return_with_comments(submission: Submission, *, reviewer: User) -> None:
    questions = {q.code: q for q in Question.objects.filter(cycle=submission.cycle)}
    if "image_hashing" in questions:
        workflow.comment_add(
            submission=submission,
            author=reviewer,
            question=questions["image_hashing"],
            body="Last year you also reported PDQ. Did you stop using it, or was it left out by mistake?",
        )
    if "trust_safety_staff" in questions:
        workflow.comment_add(
            submission=submission,
            author=reviewer,
            question=questions["trust_safety_staff"],
            body="This number is much higher than last year. Does it include contracted moderators?",
        )
    workflow.comment_add(
        submission=submission,
        author=reviewer,
        body="Thanks for submitting early. Two small questions before we approve.",
    )
    workflow.submission_return(
        submission=submission,
        reviewer=reviewer,
        note="Please check the two answers we commented on, then submit again.",
    )
