"""Publishing a year: freeze its public values into a numbered release, with disclosure control and a
corrections log. The public side only ever reads releases."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from surveys.models import Question, User

from ..disclosure import complementary_suppressions, min_published_count, public_value, suppressed_label
from ..models import Correction, IndicatorDefinition, IndicatorValue, Release, ReleaseValue, YearState


class PublishError(Exception):
    """Publishing was refused; the message says why and what to do next."""


@dataclass
class PreviewRow:
    """One figure as the public would see it after publishing, beside what it sees now."""

    code: str
    label: str
    area: str
    group: str
    position: int
    value: Decimal | None
    denominator: int | None
    suppressed: bool
    is_imported: bool
    previous_value: Decimal | None = None
    previous_suppressed: bool = False
    previous_exists: bool = False
    is_removed: bool = False

    @property
    def display(self) -> str:
        return public_display(self.value, suppressed=self.suppressed, exists=not self.is_removed)

    @property
    def previous_display(self) -> str:
        return public_display(
            self.previous_value, suppressed=self.previous_suppressed, exists=self.previous_exists
        )

    @property
    def changed(self) -> bool:
        return self.display != self.previous_display


@dataclass
class PublishCheck:
    """Whether a year may be published now, and what stands in the way."""

    year: int
    threshold: int
    respondents: int | None = None
    imported_only: bool = False
    previous: Release | None = None
    difference: int | None = None
    needs_override: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def can_publish(self) -> bool:
        return not self.problems


def public_display(value: Decimal | None, *, suppressed: bool, exists: bool = True, threshold=None) -> str:
    """A public figure as text: "37", "5.6", "fewer than 5", or "not published"."""
    if not exists:
        return "not published"
    if suppressed:
        return suppressed_label(threshold)
    if value is None:
        return "not published"
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


def _latest_release(year: int) -> Release | None:
    return Release.objects.filter(year=year).order_by("-number").first()


def preview_fingerprint(rows: list[PreviewRow]) -> str:
    """A short digest of what a preview shows, so publishing can refuse figures the administrator never saw."""
    import hashlib

    shown = "\n".join(f"{row.code}={row.display}/{row.denominator}" for row in rows)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def release_preview(*, year: int) -> list[PreviewRow]:
    """Exactly what the public would see if `year` were published now, with the current release beside it."""
    threshold = min_published_count()
    stored_values = list(IndicatorValue.objects.filter(year=year).select_related("indicator"))
    secondary = _secondary_suppressions(stored_values, year=year, threshold=threshold)
    rows: dict[str, PreviewRow] = {}
    for stored in stored_values:
        definition = stored.indicator
        value, suppressed = public_value(
            stored.value,
            counts_members=definition.counts_members,
            threshold=threshold,
            imported=stored.is_imported,
        )
        if definition.code in secondary:
            value, suppressed = None, True
        rows[definition.code] = PreviewRow(
            code=definition.code,
            label=definition.label,
            area=definition.area,
            group=definition.group,
            position=definition.position,
            value=value,
            denominator=stored.denominator,
            suppressed=suppressed,
            is_imported=stored.is_imported,
        )
    previous = _latest_release(year)
    if previous is not None:
        for old in previous.values.all():
            row = rows.get(old.code)
            if row is None:
                row = rows[old.code] = PreviewRow(
                    code=old.code, label=old.label, area=old.area, group=old.group, position=old.position,
                    value=None, denominator=None, suppressed=False, is_imported=old.is_imported,
                    is_removed=True,
                )  # fmt: skip
            row.previous_value, row.previous_suppressed = old.value, old.suppressed
            row.previous_exists = True
    return sorted(rows.values(), key=lambda row: (row.position, row.code))


def _secondary_suppressions(stored_values: list[IndicatorValue], *, year: int, threshold: int) -> set[str]:
    """The computed option counts withheld only so that a withheld option of a single-choice question cannot
    be derived from the others and the respondents (imported figures are public record, shown as published)."""
    options = [
        stored
        for stored in stored_values
        if not stored.is_imported and stored.indicator.kind == IndicatorDefinition.Kind.OPTION_COUNT
    ]
    if not options:
        return set()
    single_choice = set(
        Question.objects.filter(cycle__year=year, type=Question.Type.SINGLE_CHOICE).values_list(
            "code", flat=True
        )
    )
    groups: dict[str, dict[str, Decimal]] = {}
    for stored in options:
        if stored.indicator.question_code in single_choice:
            groups.setdefault(stored.indicator.question_code, {})[stored.indicator.code] = stored.value
    return complementary_suppressions(groups, threshold=threshold)


def release_check(*, year: int, override_reason: str = "") -> PublishCheck:
    """The rules publishing enforces, checked without publishing (the preview page shows them)."""
    threshold = min_published_count()
    check = PublishCheck(year=year, threshold=threshold, previous=_latest_release(year))
    values = list(IndicatorValue.objects.filter(year=year).select_related("indicator"))
    state = YearState.objects.filter(year=year).first()
    if not values:
        check.problems.append(
            f"There are no figures for {year} yet. Approve submissions or import history first."
        )
        return check
    check.imported_only = all(v.is_imported for v in values)
    members = next((v.value for v in values if v.indicator.code == "members"), None)
    if check.imported_only:
        check.respondents = int(members) if members is not None else None
        return check
    if state is not None and state.needs_recompute:
        check.problems.append(
            f"The figures for {year} are out of date: a submission was approved or reopened since they were "
            "computed. Recompute them, then preview again."
        )
    respondent_ids = set(state.respondent_ids if state else [])
    check.respondents = len(respondent_ids)
    if check.respondents < threshold:
        check.problems.append(
            f"{year} has {check.respondents} approved respondent{'s' if check.respondents != 1 else ''}; at "
            f"least {threshold} are needed to publish, so that no member can be singled out. Approve more "
            "submissions first."
        )
    # Every earlier release was public once (and may have been downloaded), so compare with each of them,
    # not only the latest: release 3 close to release 1 singles out members even when release 2 is far.
    earlier = Release.objects.filter(year=year).order_by("-number").values_list("number", "respondent_ids")
    for number, ids in earlier:
        if not ids:
            continue
        difference = len(set(ids) ^ respondent_ids)
        if check.previous is not None and number == check.previous.number:
            check.difference = difference
        if 0 < difference < threshold and not check.needs_override:
            check.needs_override = True
            if not override_reason.strip():
                check.problems.append(
                    f"The respondents differ from release {number} by {difference} "
                    f"organisation{'s' if difference != 1 else ''} (fewer than {threshold}): comparing "
                    "the two releases could reveal their answers. Publish only with a written override reason."
                )
    return check


def release_interim_needed(*, year: int) -> bool:
    """Whether the year's survey is still open (or not yet open): its figures can only be interim."""
    from surveys.models import SurveyCycle

    cycle = SurveyCycle.objects.filter(year=year).first()
    return cycle is not None and cycle.status != SurveyCycle.Status.CLOSED


def release_warnings(*, year: int, respondents: int | None) -> list[str]:
    """What the administrator should know before publishing, without refusing it."""
    warnings = []
    if release_interim_needed(year=year):
        warnings.append(
            f"The {year} survey is still open: more members may yet be approved. Publish only as interim "
            "figures; they are labelled “interim” everywhere and not compared with other years."
        )
    last = Release.objects.filter(year=year - 1).order_by("-number").first()
    if last is not None and last.respondents and respondents is not None and respondents < last.respondents:
        warnings.append(
            f"{year} has {respondents} respondent{'s' if respondents != 1 else ''}, fewer than the "
            f"{last.respondents} of {year - 1}: comparisons with {year - 1} will mostly show who has not "
            "been approved yet."
        )
    return warnings


def _release_status(*, year: int, interim: bool) -> str:
    """Final, or interim when asked; refuses a final release of a year whose survey is still open."""
    if interim:
        return Release.Status.INTERIM
    if release_interim_needed(year=year):
        raise PublishError(
            f"The {year} survey is still open, so its figures are incomplete. Publish them as interim "
            "figures (tick “Interim”, or --interim), or wait until the survey closes."
        )
    return Release.Status.FINAL


@transaction.atomic
def release_publish(
    *,
    year: int,
    published_by: User | None,
    note: str = "",
    override_reason: str = "",
    interim: bool = False,
) -> Release:
    """Freeze `year`'s current public values into a new release; a republication also logs a correction.

    Refused (PublishError) when the year has too few approved respondents, when its figures are out of date,
    when nothing changed since the current release, when a republication has no note, or when the respondent
    set differs from any earlier release of the year by fewer than MIN_PUBLISHED_COUNT organisations without an
    override reason, or when the year's survey is still open and `interim` is not chosen. Clears the public
    cache after commit.
    """
    YearState.objects.get_or_create(year=year)
    # One publisher at a time per year: release numbers and the differencing check depend on the latest one.
    YearState.objects.select_for_update().get(year=year)
    check = release_check(year=year, override_reason=override_reason)
    if not check.can_publish:
        raise PublishError(" ".join(check.problems))
    status = _release_status(year=year, interim=interim)
    previous = check.previous
    all_rows = release_preview(year=year)
    rows = [row for row in all_rows if not row.is_removed]
    changed = [row for row in all_rows if row.changed]
    if previous is not None:
        if not changed and _labels_unchanged(previous, rows) and previous.status == status:
            raise PublishError(
                f"The figures for {year} are the same as release {previous.number}: there is nothing new to publish."
            )
        if not note.strip():
            raise PublishError(
                f"{year} is already published. Write a note saying why it is republished; it goes in the "
                "corrections log."
            )
    state = YearState.objects.get(year=year)
    release = Release.objects.create(
        year=year,
        number=(previous.number + 1) if previous else 1,
        published_by=published_by,
        note=note.strip(),
        respondents=check.respondents,
        respondent_ids=[] if check.imported_only else sorted(state.respondent_ids),
        min_published_count=check.threshold,
        override_reason=override_reason.strip() if check.needs_override else "",
        status=status,
    )
    ReleaseValue.objects.bulk_create(
        [
            ReleaseValue(
                release=release,
                code=row.code,
                area=row.area,
                group=row.group,
                label=row.label,
                position=row.position,
                value=row.value,
                denominator=row.denominator,
                suppressed=row.suppressed,
                is_imported=row.is_imported,
            )
            for row in rows
        ]  # fmt: skip
    )
    if previous is not None:
        reason = note.strip()
        if release.override_reason:
            reason += f"\n\nPublished with a differencing override: {release.override_reason}"
        Correction.objects.create(
            release=release,
            reason=reason,
            changes=[
                {"code": row.code, "label": row.label, "old": row.previous_display, "new": row.display}
                for row in changed
            ],
        )
    transaction.on_commit(_clear_public_cache)
    return release


def _labels_unchanged(previous: Release, rows: list[PreviewRow]) -> bool:
    labels = dict(previous.values.values_list("code", "label"))
    return all(labels.get(row.code) == row.label for row in rows)


def _clear_public_cache() -> None:
    from ..cache import public_cache_clear

    public_cache_clear()
