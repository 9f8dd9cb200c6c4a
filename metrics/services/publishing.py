"""Publishing a year: freeze its public values into a numbered release, after the interval audit of
docs/disclosure.md, with a corrections log that says what changed and only what staff wrote for the public.
The public side only ever reads releases."""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from surveys.answer_types import COUNTED_TYPES
from surveys.models import AuditEvent, Milepost, Option, Organization, Question, Submission, User

from ..codes import AREA_PREFIX, MILEPOSTS
from ..codes import MILEPOSTS_PER_MEMBER as PER_MEMBER
from ..disclosure import (
    WITHHELD,
    AuditError,
    AuditResult,
    Layout,
    QuestionShape,
    ReleaseFigures,
    isolated_groups,
    min_published_count,
    primary,
    protect,
    public_note_problems,
)
from ..disclosure.audit import PROTECTS, asked_code, no_code
from ..indicators import SECTION_AREAS
from ..models import (
    Correction,
    IndicatorDefinition,
    IndicatorValue,
    Release,
    ReleaseValue,
    WithheldFigure,
    YearState,
)

Kind = IndicatorDefinition.Kind


class PublishError(Exception):
    """Publishing was refused; the message says why and what to do next."""


@dataclass
class PreviewRow:
    """One figure as the public would see it after publishing, beside what it sees now.

    `real_value`, `withheld_reason` and `interval` are for staff only: the count behind a withheld figure,
    why it is withheld, and the tightest range a reader could derive for it.
    """

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
    real_value: Decimal | None = None
    withheld_reason: str = ""
    interval: tuple[int, int] | None = None

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
    # Groups of members that some combination of this year's releases would single out (fewer than k).
    small_groups: list[str] = field(default_factory=list)

    @property
    def can_publish(self) -> bool:
        return not self.problems


@dataclass
class ReleaseReview:
    """Everything the publish preview shows: the rows, the checks and the audit behind them."""

    rows: list[PreviewRow]
    check: PublishCheck
    audit: AuditResult | None = None
    figures: "ReleaseFigures | None" = None  # the release being prepared, as the audit saw it

    @property
    def withheld_small(self) -> int:
        return sum(1 for row in self.rows if row.suppressed and row.withheld_reason == "small")

    @property
    def withheld_protecting(self) -> int:
        return sum(1 for row in self.rows if row.suppressed and row.withheld_reason == PROTECTS)


def public_display(value: Decimal | None, *, suppressed: bool, exists: bool = True) -> str:
    """A public figure as text: "37", "5.6", "withheld", or "not published"."""
    if not exists:
        return "not published"
    if suppressed:
        return WITHHELD
    if value is None:
        return "not published"
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


def _latest_release(year: int) -> Release | None:
    return Release.objects.filter(year=year).order_by("-number").first()


def preview_fingerprint(rows: list[PreviewRow]) -> str:
    """A short digest of what a preview shows, so publishing can refuse figures the administrator never saw."""
    shown = "\n".join(f"{row.code}={row.display}/{row.denominator}" for row in rows)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def public_note_fingerprint(note: str) -> str:
    """A digest of the public note as previewed: publishing refuses a note the administrator has not seen."""
    return hashlib.sha256(note.strip().encode()).hexdigest()[:16]


# --- What the reader knows, built from the database --------------------------------------------------------


@dataclass
class _AuditInput:
    layout: Layout
    releases: list[ReleaseFigures]
    contributors: dict[str, int]


def _layout(*, year: int, codes: set[str], values: dict[str, object]) -> Layout:
    """The questionnaire's counted questions (as every reader knows them) and the milepost catalogue."""
    questions = (
        Question.objects.filter(cycle__year=year, section__code__in=SECTION_AREAS, type__in=COUNTED_TYPES)
        .select_related("condition_question")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
    shapes = []
    for question in questions:
        options = tuple(option.code for option in question.options.all())
        condition = None
        if question.condition_question_id is not None:
            condition = (question.condition_question.code, question.condition_value)
        shape = QuestionShape(
            code=question.code,
            kind=question.type,
            options=options if question.type != Question.Type.YES_NO else (),
            exclusive=tuple(code for code in options if code == Option.EXCLUSIVE_CODE)
            if question.type == Question.Type.MULTIPLE_CHOICE
            else (),
            required=question.required,
            condition=condition,
        )
        if all(code in codes for code in shape.figure_codes()):
            shapes.append(shape)
    caps: tuple[tuple[str, int], ...] = ()
    if MILEPOSTS in codes:
        per_area = dict(
            Milepost.objects.filter(introduced_year__lte=year)
            .values_list("area")
            .annotate(n=Count("pk"))
            .values_list("area", "n")
        )
        areas = [code.removeprefix(AREA_PREFIX) for code in codes if code.startswith(AREA_PREFIX)]
        # A catalogue without the area's mileposts (data older than the catalogue): the area's own total is
        # still a true bound on what one member advanced.
        caps = tuple(
            (area, per_area.get(area) or max(int(values.get(AREA_PREFIX + area) or 0), 1))
            for area in sorted(areas)
        )
    return Layout(questions=tuple(shapes), milepost_caps=caps)


def _question_values(layout: Layout, values: dict[str, Decimal], denominators: dict[str, int | None]) -> None:
    """Add each question's members asked (its figures' denominator) and, for yes/no, the "no" count."""
    for question in layout.questions:
        first = question.figure_codes()[0]
        asked = denominators.get(first)
        if asked is None:
            continue
        values[asked_code(question.code)] = asked
        if question.kind == "yes_no" and values.get(first) is not None:
            values[no_code(question.code)] = asked - int(values[first])


def _audit_input(*, year: int, stored: list[IndicatorValue], respondent_ids: list[int]) -> _AuditInput:
    threshold = min_published_count()
    computed = [value for value in stored if not value.is_imported]
    codes = {value.indicator.code for value in computed}
    values: dict[str, object] = {value.indicator.code: int(value.value) for value in computed}
    layout = _layout(year=year, codes=codes, values=values)
    per_member = next((value.value for value in computed if value.indicator.code == PER_MEMBER), None)
    values.pop(PER_MEMBER, None)
    _question_values(layout, values, {value.indicator.code: value.denominator for value in computed})
    contributors = {
        value.indicator.code: value.contributors for value in computed if value.contributors is not None
    }
    withheld, sensitive = primary(
        layout=layout, values=values, contributors=contributors, threshold=threshold
    )
    current = ReleaseFigures(
        members=frozenset(respondent_ids),
        values=values,
        withheld=withheld,
        sensitive=sensitive,
        per_member=per_member,
        label="this release",
    )
    return _AuditInput(
        layout=layout, releases=[*_earlier_releases(year, layout), current], contributors=contributors
    )


def _earlier_releases(year: int, layout: Layout) -> list[ReleaseFigures]:
    """What each earlier computed release of the year published, with the real values behind its withheld
    figures where it kept them (releases published since the audit exists)."""
    releases = [r for r in Release.objects.filter(year=year).order_by("number") if r.respondent_ids]
    if not releases:
        return []
    published: dict[int, list[ReleaseValue]] = {release.pk: [] for release in releases}
    for value in ReleaseValue.objects.filter(release__in=releases):
        published[value.release_id].append(value)
    kept: dict[int, list[WithheldFigure]] = {release.pk: [] for release in releases}
    for figure in WithheldFigure.objects.filter(release__in=releases):
        kept[figure.release_id].append(figure)
    approved_at = dict(
        Submission.objects.filter(cycle__year=year).values_list("organization_id", "approved_at")
    )
    earlier = []
    for release in releases:
        values: dict[str, object] = {}
        withheld: set[str] = set()
        denominators: dict[str, int | None] = {}
        per_member = None
        for value in published[release.pk]:
            if value.code == PER_MEMBER:
                per_member = None if value.suppressed else value.value
                if value.suppressed:
                    withheld.add(PER_MEMBER)
                continue
            if value.suppressed:
                withheld.add(value.code)
            elif value.value is not None:
                values[value.code] = int(value.value)
            # Before the audit, every denominator was the number of respondents, not who was asked.
            denominators[value.code] = value.denominator if release.audited else None
        _question_values(layout, values, denominators)
        for figure in kept[release.pk]:
            if figure.reason != WithheldFigure.Reason.HIDDEN:
                withheld.add(figure.code)
        for figure in kept[release.pk]:
            values[figure.code] = int(figure.value)
        members = frozenset(release.respondent_ids)
        changed = sum(
            1
            for member in members
            if approved_at.get(member) is not None and approved_at[member] > release.published_at
        )
        earlier.append(
            ReleaseFigures(
                members=members,
                values=values,
                withheld=frozenset(withheld),
                sensitive=frozenset(figure.code for figure in kept[release.pk] if figure.sensitive),
                per_member=per_member,
                changed=changed,
                label=f"release {release.number}",
            )
        )
    return earlier


# --- Preview, checks and publication -----------------------------------------------------------------------


def release_review(*, year: int, override_reason: str = "", intervals: bool = True) -> ReleaseReview:
    """Exactly what the public would see if `year` were published now, the rules publishing enforces, and
    (for staff) the real values behind withheld figures and what a reader could derive about them."""
    threshold = min_published_count()
    stored = list(IndicatorValue.objects.filter(year=year).select_related("indicator"))
    state = YearState.objects.filter(year=year).first()
    respondent_ids = list(state.respondent_ids) if state else []
    check = PublishCheck(year=year, threshold=threshold, previous=_latest_release(year))
    audit = None
    audit_input = None
    if stored and not all(value.is_imported for value in stored):
        audit_input = _audit_input(year=year, stored=stored, respondent_ids=respondent_ids)
        try:
            audit = protect(
                layout=audit_input.layout,
                releases=audit_input.releases,
                threshold=threshold,
                intervals=intervals,
            )
        except AuditError as error:
            check.problems.append(f"The figures cannot be published safely: {error}")
            # Never show a small figure, even in a preview of figures that cannot be published.
            audit = AuditResult(withheld=dict.fromkeys(audit_input.releases[-1].withheld, "small"))
    rows = _rows(stored, audit, audit_input)
    _add_previous(rows, check.previous)
    _check(check, stored=stored, state=state, override_reason=override_reason)
    return ReleaseReview(
        rows=sorted(rows.values(), key=lambda row: (row.position, row.code)),
        check=check,
        audit=audit,
        figures=audit_input.releases[-1] if audit_input else None,
    )


def _rows(
    stored: list[IndicatorValue], audit: AuditResult | None, audit_input: _AuditInput | None
) -> dict[str, PreviewRow]:
    withheld = audit.withheld if audit else {}
    rows: dict[str, PreviewRow] = {}
    for value in stored:
        definition = value.indicator
        code = definition.code
        suppressed = code in withheld and not value.is_imported
        denominator = value.denominator
        if definition.question_code and asked_code(definition.question_code) in withheld:
            denominator = None
        rows[code] = PreviewRow(
            code=code,
            label=definition.label,
            area=definition.area,
            group=definition.group,
            position=definition.position,
            value=None if suppressed else value.value,
            denominator=denominator,
            suppressed=suppressed,
            is_imported=value.is_imported,
            real_value=value.value,
            withheld_reason=withheld.get(code, "") if suppressed else "",
            interval=audit.interval(code) if suppressed and audit else None,
        )
    return rows


def _add_previous(rows: dict[str, PreviewRow], previous: Release | None) -> None:
    if previous is None:
        return
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


def _check(check: PublishCheck, *, stored: list[IndicatorValue], state, override_reason: str) -> None:
    year, threshold = check.year, check.threshold
    if not stored:
        check.problems.append(
            f"There are no figures for {year} yet. Approve submissions or import history first."
        )
        return
    check.imported_only = all(v.is_imported for v in stored)
    members = next((v.value for v in stored if v.indicator.code == "members"), None)
    if check.imported_only:
        check.respondents = int(members) if members is not None else None
        return
    if state is not None and state.needs_recompute:
        check.problems.append(
            f"The figures for {year} are out of date: a submission was approved or reopened since they were "
            "computed. Recompute them, then preview again."
        )
    respondent_ids = frozenset(state.respondent_ids if state else [])
    check.respondents = len(respondent_ids)
    if check.respondents < threshold:
        check.problems.append(
            f"{year} has {check.respondents} approved respondent{'s' if check.respondents != 1 else ''}; at "
            f"least {threshold} are needed to publish, so that no member can be singled out. Approve more "
            "submissions first."
        )
    _check_differencing(check, respondent_ids=respondent_ids, override_reason=override_reason)


def _check_differencing(check: PublishCheck, *, respondent_ids: frozenset, override_reason: str) -> None:
    """Every release was public once (and may have been downloaded): adding and subtracting any of them
    isolates the members who are in exactly the same releases, so each such group must hold k members."""
    earlier = [
        (number, frozenset(ids))
        for number, ids in Release.objects.filter(year=check.year)
        .order_by("number")
        .values_list("number", "respondent_ids")
        if ids
    ]
    if not earlier:
        return
    if check.previous is not None:
        latest = next((ids for number, ids in earlier if number == check.previous.number), None)
        if latest is not None:
            check.difference = len(latest ^ respondent_ids)
    names = [f"release {number}" for number, _ in earlier] + ["this release"]
    member_sets = [ids for _, ids in earlier] + [respondent_ids]
    for signature, size in isolated_groups(member_sets, threshold=check.threshold):
        inside = [name for name, member in zip(names, signature, strict=True) if member]
        outside = [name for name, member in zip(names, signature, strict=True) if not member]
        where = " and ".join(inside) + (f" but not in {' or '.join(outside)}" if outside else "")
        check.small_groups.append(
            f"{size} organisation{'s are' if size != 1 else ' is'} in {where} (fewer than {check.threshold})"
        )
    if check.small_groups:
        check.needs_override = True
        if not override_reason.strip():
            check.problems.append(
                "Comparing this year's releases could reveal the answers of a few members: "
                + "; ".join(check.small_groups)
                + ". Publish only with a written override reason."
            )


def release_preview(*, year: int) -> list[PreviewRow]:
    """Exactly what the public would see if `year` were published now, with the current release beside it."""
    return release_review(year=year).rows


def release_check(*, year: int, override_reason: str = "") -> PublishCheck:
    """The rules publishing enforces, checked without publishing (the preview page shows them)."""
    return release_review(year=year, override_reason=override_reason).check


def correction_public_note_check(*, note: str) -> list[str]:
    """Why a public corrections-log note cannot be published as written (it names a member)."""
    names = list(Organization.objects.values_list("name", flat=True))
    return public_note_problems(note, names=names)


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
    public_note: str | None = None,
    interim: bool = False,
) -> Release:
    """Freeze `year`'s current public values into a new release; a republication also logs a correction.

    Runs the interval audit first (docs/disclosure.md). Refused (PublishError) when the year has too few
    approved respondents, when its figures are out of date, when nothing changed since the current release,
    when a republication has no note, when its public note names a member, when the audit cannot protect a
    withheld figure, or when some combination of the year's releases would single out fewer than
    MIN_PUBLISHED_COUNT organisations and no override reason is given, or when the year's survey is still open
    and `interim` is not chosen. `note` is the staff's internal note;
    `public_note` (the note itself when not given) is the only text the public log shows. Clears the public
    cache after commit.
    """
    YearState.objects.get_or_create(year=year)
    # One publisher at a time per year: release numbers and the differencing check depend on the latest one.
    YearState.objects.select_for_update().get(year=year)
    review = release_review(year=year, override_reason=override_reason, intervals=False)
    check = review.check
    if not check.can_publish:
        raise PublishError(" ".join(check.problems))
    status = _release_status(year=year, interim=interim)
    previous = check.previous
    rows = [row for row in review.rows if not row.is_removed]
    changed = [row for row in review.rows if row.changed]
    public_note = (note if public_note is None else public_note).strip()
    if previous is not None:
        if not changed and _labels_unchanged(previous, rows) and previous.status == status:
            raise PublishError(
                f"The figures for {year} are the same as release {previous.number}: there is nothing new to publish."
            )
        if not note.strip() and not public_note:
            raise PublishError(
                f"{year} is already published. Write a note saying why it is republished; it goes in the "
                "corrections log."
            )
        problems = correction_public_note_check(note=public_note)
        if problems:
            raise PublishError(" ".join(problems))
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
        audited=review.audit is not None,
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
    if review.audit is not None:
        _keep_withheld(release, review)
    if previous is not None:
        reason = note.strip()
        if release.override_reason:
            reason += f"\n\nPublished with a differencing override: {release.override_reason}"
        Correction.objects.create(
            release=release,
            reason=reason,
            public_note=public_note,
            changes=[
                {"code": row.code, "label": row.label, "old": row.previous_display, "new": row.display}
                for row in changed
            ],
        )
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.PUBLICATION,
        actor=published_by,
        subject=f"{year} release {release.number}",
        new_value={"status": status, "respondents": release.respondents},
        note="\n\n".join(text for text in (note.strip(), release.override_reason) if text),
    )
    transaction.on_commit(_clear_public_cache)
    return release


def _keep_withheld(release: Release, review: ReleaseReview) -> None:
    """Keep the real values behind this release's withheld figures and sensitive hidden counts (staff only),
    so later releases of the year are audited together with this one."""
    current = review.figures
    figures = []
    for code, reason in review.audit.withheld.items():
        value = current.per_member if code == PER_MEMBER else current.values.get(code)
        if value is not None:
            figures.append(
                WithheldFigure(
                    release=release,
                    code=code,
                    value=value,
                    reason=reason,
                    sensitive=code in current.sensitive,
                )
            )
    for code in sorted(current.sensitive - set(review.audit.withheld)):
        figures.append(
            WithheldFigure(
                release=release,
                code=code,
                value=current.values[code],
                reason=WithheldFigure.Reason.HIDDEN,
                sensitive=True,
            )
        )
    WithheldFigure.objects.bulk_create(figures)


def _labels_unchanged(previous: Release, rows: list[PreviewRow]) -> bool:
    labels = dict(previous.values.values_list("code", "label"))
    return all(labels.get(row.code) == row.label for row in rows)


def _clear_public_cache() -> None:
    from ..cache import public_cache_clear

    public_cache_clear()


__all__ = [
    "PreviewRow",
    "PublishCheck",
    "PublishError",
    "ReleaseReview",
    "correction_public_note_check",
    "release_interim_needed",
    "release_warnings",
    "release_check",
    "release_preview",
    "release_publish",
    "release_review",
]
