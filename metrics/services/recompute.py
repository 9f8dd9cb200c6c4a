"""Recomputing a year's indicators from approved submissions, and asking for a recompute after approvals."""

import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, When
from django.utils import timezone

from surveys.models import Answer, Area, Option, Question, Submission, SubmissionMilepost, SurveyCycle

from ..indicators import indicators_sync
from ..models import IndicatorDefinition, IndicatorValue, YearState

logger = logging.getLogger(__name__)
Kind = IndicatorDefinition.Kind
APPROVED = Submission.Status.APPROVED
# First key of the PostgreSQL advisory lock that serialises recomputes of a year (the year is the second).
RECOMPUTE_LOCK_CLASS = 5_202_501


@dataclass(frozen=True)
class ValueChange:
    code: str
    old: Decimal | None
    new: Decimal | None


@dataclass
class RecomputeReport:
    """What a recompute did: how many respondents, which values changed, whether imported history was kept."""

    year: int
    respondents: int = 0
    values: int = 0
    changes: list[ValueChange] = field(default_factory=list)
    kept_imported: bool = False

    def summary(self) -> str:
        if self.kept_imported:
            return f"{self.year}: no approved submissions; the imported published figures are kept."
        changed = f"{len(self.changes)} value{'s' if len(self.changes) != 1 else ''} changed"
        return f"{self.year}: {self.values} values from {self.respondents} approved respondents; {changed}."


def _one_decimal(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _computed_values(
    *, cycle: SurveyCycle
) -> tuple[dict[str, tuple[Decimal, int | None, int | None]], list[int]]:
    """Every indicator of the cycle as {code: (value, denominator, contributors)}, and the respondents' ids.

    A question's figures are out of the members it was shown to who answered it (a conditional question is
    not asked of everyone); a mileposts figure records how many members advanced those mileposts (never
    public: the k rule uses it). A few set-based queries, whatever the number of submissions: the database
    counts with GROUP BY. Only approved submissions count, and only answers whose question is shown.
    """
    approved = Submission.objects.filter(cycle=cycle, status=APPROVED)
    # No ordering in SQL: the model's default ordering would join organisations only to sort.
    respondent_ids = sorted(approved.order_by().values_list("organization_id", flat=True))
    respondents = len(respondent_ids)
    definitions = list(
        IndicatorDefinition.objects.only("code", "kind", "area", "question_code", "option_code")
    )

    # What this year's questionnaire asks: an option nobody ticked is a real zero; one not asked has no value.
    counted = {d.question_code for d in definitions if d.kind in (Kind.OPTION_COUNT, Kind.YES_COUNT)}
    questions = {
        pk: (code, qtype)
        for pk, code, qtype in Question.objects.filter(cycle=cycle, code__in=counted).values_list(
            "id", "code", "type"
        )
    }
    options = {
        pk: (question_code, code)
        for pk, question_code, code in Option.objects.filter(question_id__in=questions).values_list(
            "id", "question__code", "code"
        )
    }
    asked_options = set(options.values())
    asked_yes = {code for code, qtype in questions.values() if qtype == Question.Type.YES_NO}

    by_option, by_yes, answered = _answer_counts(cycle=cycle, questions=questions, options=options)

    # Mileposts per area, members advancing and members behind each area, in one pass.
    milepost_counts = SubmissionMilepost.objects.filter(
        submission__cycle=cycle, submission__status=APPROVED
    ).aggregate(
        advancing=Count("submission_id", distinct=True),
        **{area: Count("pk", filter=Q(milepost__area=area)) for area in Area.values},
        **{
            f"members_{area}": Count("submission_id", distinct=True, filter=Q(milepost__area=area))
            for area in Area.values
        },
    )
    advancing = milepost_counts["advancing"]
    by_area = {area: milepost_counts[area] for area in Area.values}
    members_by_area = {area: milepost_counts[f"members_{area}"] for area in Area.values}
    total_mileposts = sum(by_area.values())

    values: dict[str, tuple[Decimal, int | None, int | None]] = {}
    for definition in definitions:
        denominator, contributors = respondents, None
        match definition.kind:
            case Kind.OPTION_COUNT if (definition.question_code, definition.option_code) in asked_options:
                value = by_option.get((definition.question_code, definition.option_code), 0)
                denominator = answered.get(definition.question_code, 0)
            case Kind.YES_COUNT if definition.question_code in asked_yes:
                value = by_yes.get(definition.question_code, 0)
                denominator = answered.get(definition.question_code, 0)
            case Kind.RESPONDENTS:
                values[definition.code] = (Decimal(respondents), None, None)
                continue
            case Kind.MILEPOSTS:
                value, contributors = total_mileposts, advancing
            case Kind.MILEPOSTS_IN_AREA:
                value = by_area.get(definition.area, 0)
                contributors = members_by_area.get(definition.area, 0)
            case Kind.MEMBERS_ADVANCING:
                value = advancing
            case Kind.MILEPOSTS_PER_MEMBER:
                value = _one_decimal(Decimal(total_mileposts) / respondents) if respondents else Decimal(0)
                contributors = advancing
            case _:
                continue
        values[definition.code] = (_one_decimal(value), denominator, contributors)
    return values, respondent_ids


def _answer_counts(
    *, cycle: SurveyCycle, questions: dict[int, tuple[str, str]], options: dict[int, tuple[str, str]]
) -> tuple[dict[tuple[str, str], int], dict[str, int], dict[str, int]]:
    """Members per ticked option, per yes answer, and per question answered (the members asked who
    answered), over approved submissions and visible answers only.

    One pass over the answers (left-joined to their options) counts both, grouped by ids rather than codes
    so that no lookup table joins in. One answer per (submission, question) and one row per (answer,
    option): counting rows counts distinct submissions without the cost of COUNT(DISTINCT).
    """
    by_option: dict[tuple[str, str], int] = {}
    by_yes: dict[str, int] = {}
    visible = Answer.objects.filter(
        submission__cycle=cycle,
        submission__status=APPROVED,
        is_visible=True,
        question_id__in=list(questions),
    )
    counts = (
        visible.filter(Q(options__isnull=False) | Q(value_bool=True))
        .values_list("question_id", "options")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for question_id, option_id, n in counts:
        if option_id is None:
            by_yes[questions[question_id][0]] = n
        elif option_id in options:
            by_option[options[option_id]] = n
    answered = {
        questions[question_id][0]: n
        for question_id, n in visible.filter(Q(options__isnull=False) | Q(value_bool__isnull=False))
        .values_list("question_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("question_id", "n")
        .order_by()
    }
    return by_option, by_yes, answered


@transaction.atomic
def indicators_recompute(*, year: int) -> RecomputeReport:
    """Recompute every indicator of `year` from approved submissions and replace the stored values at once.

    Readers see the old values or the new ones, never a mix (one transaction); running it twice gives the
    same result. A year without approved submissions keeps its imported published figures, if any; a year
    with approved submissions never mixes computed values with imported ones. Clears the year's
    `needs_recompute` unless a new request arrived while computing.
    """
    started = timezone.now()
    report = RecomputeReport(year=year)
    _lock_year(year)
    cycle = SurveyCycle.objects.filter(year=year).first()
    old = {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(year=year)
        .select_related("indicator")
        .only("value", "denominator", "is_imported", "indicator__code")
    }
    if cycle is None and not old:
        # Nothing to compute nor keep: settle a request owed for it, but never invent a row for the year.
        YearState.objects.filter(year=year).update(needs_recompute=False, computed_at=started)
        return report
    state, _ = YearState.objects.get_or_create(year=year)
    has_raw = cycle is not None and Submission.objects.filter(cycle=cycle, status=APPROVED).exists()
    if not has_raw and (cycle is None or any(v.is_imported for v in old.values())):
        report.kept_imported = any(v.is_imported for v in old.values())
        report.values = len(old)
        _mark_computed(state, started=started, respondent_ids=state.respondent_ids)
        return report

    indicators_sync(cycle=cycle)
    values, respondent_ids = _computed_values(cycle=cycle)
    definitions = dict(IndicatorDefinition.objects.filter(code__in=values).values_list("code", "pk"))
    now = timezone.now()
    IndicatorValue.objects.filter(year=year).delete()
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                year=year,
                indicator_id=definitions[code],
                value=value,
                denominator=denominator,
                contributors=contributors,
                computed_at=now,
            )
            for code, (value, denominator, contributors) in values.items()
        ]
    )
    report.respondents = len(respondent_ids)
    report.values = len(values)
    for code in sorted(set(old) | set(values)):
        before = old[code].value if code in old else None
        after = values[code][0] if code in values else None
        if before != after or (code in old and old[code].is_imported):
            report.changes.append(ValueChange(code=code, old=before, new=after))
    _mark_computed(state, started=started, respondent_ids=respondent_ids)
    return report


def _lock_year(year: int) -> None:
    """Serialise recomputes of one year (the nightly run and a task, say) until the transaction ends.

    An advisory lock rather than a row lock, so that approvals marking the year as owed never wait for a
    long recompute.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RECOMPUTE_LOCK_CLASS, year])


def _mark_computed(state: YearState, *, started, respondent_ids: list[int]) -> None:
    # A request made while we computed may have come after our reads: leave it owed.
    answered = Q(requested_at__isnull=True) | Q(requested_at__lte=started)
    changes = {
        "computed_at": timezone.now(),
        "needs_recompute": Case(When(answered, then=False), default=F("needs_recompute")),
    }
    if respondent_ids != state.respondent_ids:
        changes["respondent_ids"] = respondent_ids
    YearState.objects.filter(pk=state.pk).update(**changes)


def _pending_key(year: int) -> str:
    return f"recompute-pending:{year}"


def recompute_delay_seconds() -> int:
    """How long a recompute waits for more approvals to arrive, so a burst costs one recompute."""
    return int(getattr(settings, "INDICATORS_RECOMPUTE_DELAY", 10))


def indicators_recompute_request(*, year: int) -> None:
    """Record that `year` needs a recompute and enqueue one after commit, coalescing bursts.

    The record is durable: if the broker (Redis) is down, the error is logged, the approval stands, and the
    nightly run or `manage.py recompute_indicators` catches up. While a recompute is already queued (a
    short-lived cache key), further requests only update the record.
    """
    now = timezone.now()
    updated = YearState.objects.filter(year=year).update(needs_recompute=True, requested_at=now)
    if not updated:
        YearState.objects.get_or_create(year=year, defaults={"needs_recompute": True, "requested_at": now})
        YearState.objects.filter(year=year).update(needs_recompute=True, requested_at=now)
    transaction.on_commit(lambda: _enqueue_recompute(year))


def _enqueue_recompute(year: int) -> None:
    from ..tasks import indicators_recompute_task

    delay = recompute_delay_seconds()
    try:
        # add() is atomic in Redis: of a burst of requests, only the first enqueues a task.
        if not cache.add(_pending_key(year), True, timeout=delay + 60):
            return
        indicators_recompute_task.apply_async(kwargs={"year": year}, countdown=delay)
    except Exception:
        # Never let a broker or cache outage undo an approval: needs_recompute stays set for the catch-up.
        logger.exception("Could not enqueue the recompute of %s; it stays marked as needed.", year)
        try:
            cache.delete(_pending_key(year))
        except Exception:
            logger.warning("Could not clear the pending-recompute key for %s.", year)


def recompute_pending_clear(*, year: int) -> None:
    """Forget the queued marker, so requests from now on enqueue a new recompute."""
    try:
        cache.delete(_pending_key(year))
    except Exception:
        logger.warning("Could not clear the pending-recompute key for %s.", year)


def years_due() -> list[int]:
    """Years the nightly run recomputes: those marked as needing it, plus open and recent cycles."""
    this_year = timezone.localdate().year
    today = timezone.localdate()
    years = set(YearState.objects.filter(needs_recompute=True).values_list("year", flat=True))
    years |= set(SurveyCycle.objects.filter(year__gte=this_year - 1).values_list("year", flat=True))
    years |= set(
        SurveyCycle.objects.filter(opens_on__lte=today, closes_on__gte=today).values_list("year", flat=True)
    )
    return sorted(years)
