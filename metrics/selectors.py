"""Reads for the public side: only published releases ever leave this module.

Every read is a fixed number of queries (one for the releases, one for their values), whatever the number of
members or indicators: values are fetched in bulk and arranged in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .models import Correction, Release, ReleaseValue


@dataclass
class PublishedYear:
    """A year's current release and its values by code, in the release's order."""

    release: Release
    values: dict[str, ReleaseValue] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.release.year

    @property
    def threshold(self) -> int:
        return self.release.min_published_count

    def get(self, code: str) -> ReleaseValue | None:
        return self.values.get(code)

    def number(self, code: str):
        """The published number, or None when absent or suppressed."""
        value = self.values.get(code)
        return None if value is None or value.suppressed else value.value

    def in_group(self, group: str) -> list[ReleaseValue]:
        return [value for value in self.values.values() if value.group == group]


def published_releases() -> list[Release]:
    """The current (highest-numbered) release of every published year, newest year first, each with its
    correction (for its public note). One query."""
    latest: dict[int, Release] = {}
    # Never loaded: which organisations responded and the staff's reasons are not public, and these objects
    # go into the public cache.
    releases = Release.objects.select_related("correction").defer("respondent_ids", "correction__reason")
    for release in releases.order_by("-year", "-number"):
        latest.setdefault(release.year, release)
    return list(latest.values())


def published_years() -> list[int]:
    return [release.year for release in published_releases()]


def _with_values(releases: list[Release]) -> list[PublishedYear]:
    by_release: dict[int, dict[str, ReleaseValue]] = defaultdict(dict)
    values = ReleaseValue.objects.filter(release__in=[r.pk for r in releases]).order_by(
        "release_id", "position", "code"
    )
    for value in values:
        by_release[value.release_id][value.code] = value
    return [PublishedYear(release=release, values=by_release[release.pk]) for release in releases]


def published_year(*, year: int | None = None) -> PublishedYear | None:
    """The given year's current release with its values (the latest year when None); None if unpublished."""
    releases = published_releases()
    if year is not None:
        releases = [release for release in releases if release.year == year]
    if not releases:
        return None
    return _with_values(releases[:1])[0]


def published_history() -> list[PublishedYear]:
    """Every published year's current release with its values, newest year first. Two queries."""
    return _with_values(published_releases())


def corrections_log() -> list[Correction]:
    """Every republication's correction, newest first, with its release."""
    return list(
        Correction.objects.select_related("release")
        .defer("release__respondent_ids")
        .order_by("-release__year", "-release__number")
    )


@dataclass
class BenchmarkYear:
    """One published year an organisation took part in: its own answers beside the published figures."""

    published: PublishedYear
    submission: object
    answers: dict[str, object]  # question code -> plain value (bool, option code, list of option codes)
    mileposts: list  # the organisation's SubmissionMileposts, with their catalogue milepost


def member_benchmark(*, organization) -> list[BenchmarkYear]:
    """Every published year in which the organisation has an approved submission, newest first.

    Reads only the organisation's own answers and the published release; a fixed number of queries.
    """
    from surveys.conditions import answer_value
    from surveys.models import Answer, Submission, SubmissionMilepost

    releases = {release.year: release for release in published_releases()}
    submissions = [
        submission
        for submission in Submission.objects.approved()
        .filter(organization=organization, cycle__year__in=list(releases))
        .select_related("cycle")
        .order_by("-cycle__year")
    ]
    if not submissions:
        return []
    published = {p.year: p for p in _with_values([releases[s.cycle.year] for s in submissions])}
    answers: dict[int, dict[str, object]] = defaultdict(dict)
    for answer in (
        Answer.objects.filter(submission__in=submissions, is_visible=True)
        .select_related("question")
        .prefetch_related("options")
    ):
        answers[answer.submission_id][answer.question.code] = answer_value(answer, answer.question)
    mileposts: dict[int, list] = defaultdict(list)
    for advanced in (
        SubmissionMilepost.objects.filter(submission__in=submissions)
        .select_related("milepost")
        .order_by("milepost__area", "milepost__title")
    ):
        mileposts[advanced.submission_id].append(advanced)
    return [
        BenchmarkYear(
            published=published[s.cycle.year],
            submission=s,
            answers=answers[s.pk],
            mileposts=mileposts[s.pk],
        )
        for s in submissions
    ]
