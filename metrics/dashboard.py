"""What each public page shows, built from published years only (see selectors.py).

Each builder takes already-loaded `PublishedYear`s and returns plain data: rows for tables and CSV, chart
JSON for the browser, sentences. One builder feeds a chart, its table and its CSV, so they always agree.
"""

import math
from dataclasses import dataclass, field

from . import charts, codes, report
from .selectors import PublishedYear


@dataclass
class ChartBlock:
    """A chart with its accessible table and its CSV download."""

    id: str
    title: str
    figure: dict
    columns: list[str]
    rows: list[list[str]]
    csv_url: str = ""
    caption: str = ""
    note: str = ""  # a sentence about the chart, shown above it

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


@dataclass
class GroupSection:
    group: report.Group
    rows: list[report.Row]
    sentence: str
    chart: ChartBlock | None


@dataclass
class Headline:
    year: int
    mileposts: float | None
    change: str
    per_member: float | None
    per_member_words: str
    members: int | None
    members_advancing: report.Row | None = None


@dataclass
class TrendGroup:
    code: str
    title: str
    years: list[int]
    series: list[tuple[report.Row, list[report.Row | None]]] = field(default_factory=list)
    statuses: dict[int, str] = field(default_factory=dict)  # year -> its release's status
    chart: ChartBlock | None = None
    summaries: list[tuple[str, str]] = field(default_factory=list)  # (label, "13 (2022) → 41 (2025)")


def rows_in_group(data: PublishedYear, group: str) -> list[report.Row]:
    return [report.row_from(value, threshold=data.threshold) for value in data.in_group(group)]


def group_section(data: PublishedYear, group: report.Group, *, csv_url: str = "") -> GroupSection:
    rows = rows_in_group(data, group.code)
    chart = None
    if rows:
        title = f"{group.title}: members using each measure, {data.year}"
        figure = charts.members_bar(
            title=title,
            bars=[charts.Bar(row.label, row.value, row.denominator, row.suppressed) for row in rows],
            threshold=data.threshold,
        )
        chart = ChartBlock(
            id=f"figure-{group.code}",
            title=title,
            figure=charts.as_json(figure),
            columns=["Measure", "Members", "Out of"],
            rows=[[row.label, row.shown, str(row.denominator or "")] for row in rows],
            csv_url=csv_url,
        )
    return GroupSection(
        group=group,
        rows=rows,
        sentence=report.group_sentence(year=data.year, group=group, rows=rows),
        chart=chart,
    )


CHART_CSV_COLUMNS = [
    "year",
    "code",
    "label",
    "value",
    "denominator",
    "suppressed",
    "shown_as",
    "release_status",
]


def _chart_csv_row(year: int, label: str, figure, status: str) -> list:
    """One published figure as a row under CHART_CSV_COLUMNS; a withheld value is empty."""
    return [
        year,
        figure.code,
        label,
        "" if figure.suppressed else report.format_number(figure.value),
        figure.denominator or "",
        "true" if figure.suppressed else "false",
        figure.shown,
        status,
    ]


def group_csv_rows(data: PublishedYear, group: str) -> tuple[list[str], list[list]]:
    """Exactly the data of a group's chart, as CSV columns and rows."""
    rows = [
        _chart_csv_row(data.year, row.label, row, data.release.status) for row in rows_in_group(data, group)
    ]
    return CHART_CSV_COLUMNS, rows


def headline(data: PublishedYear, history: list[PublishedYear]) -> Headline:
    """The overview's headline: mileposts, change on the previous published year in words, average, members."""
    mileposts = data.number(codes.MILEPOSTS)
    members = data.number(codes.MEMBERS) or data.release.respondents
    previous = next(
        (
            earlier
            for earlier in sorted(history, key=lambda h: -h.year)
            if earlier.year < data.year
            and not earlier.release.is_interim
            and earlier.number(codes.MILEPOSTS) is not None
        ),
        None,
    )
    change = ""
    # Interim figures count only the members approved so far: a change on last year would be untrue.
    if previous is not None and mileposts is not None and not data.release.is_interim:
        change = report.change_in_words(
            current=mileposts, previous=previous.number(codes.MILEPOSTS), previous_year=previous.year
        )
    per_member = data.number(codes.MILEPOSTS_PER_MEMBER)
    if per_member is None and mileposts is not None and members:
        per_member = round(float(mileposts) / float(members), 1)
    words = ""
    if per_member is not None:
        whole = math.floor(per_member)
        words = f"{whole}{'+' if per_member > whole else ''} improvement{'s' if per_member >= 2 else ''} per company"
    advancing = data.get(codes.MILEPOSTS_MEMBERS_ADVANCING)
    return Headline(
        year=data.year,
        mileposts=None if mileposts is None else float(mileposts),
        change=change,
        per_member=None if per_member is None else float(per_member),
        per_member_words=words,
        members=None if members is None else int(members),
        members_advancing=report.row_from(advancing, threshold=data.threshold) if advancing else None,
    )


def mileposts_chart(history: list[PublishedYear], *, csv_url: str = "") -> ChartBlock | None:
    """Mileposts advanced by area across every published year that has a milepost figure."""
    chart_codes = [codes.MILEPOSTS, *(code for code, _ in report.MILEPOST_AREA_CODES)]
    years = sorted(
        (h for h in history if any(h.number(code) is not None for code in chart_codes)), key=lambda h: h.year
    )
    if not years:
        return None
    areas = [(label, [h.number(code) for h in years]) for code, label in report.MILEPOST_AREA_CODES]
    areas = [(label, [None if v is None else float(v) for v in values]) for label, values in areas]
    totals = []
    for h in years:
        total = h.number(codes.MILEPOSTS)
        if total is None:
            parts = [h.number(code) for code, _ in report.MILEPOST_AREA_CODES]
            total = sum(parts) if all(p is not None for p in parts) else None
        totals.append(None if total is None else float(total))
    figure = charts.mileposts_by_area(years=[h.release.year_label for h in years], areas=areas, totals=totals)
    columns, rows = mileposts_csv_rows(history)
    total_only = [str(h.year) for i, h in enumerate(years) if all(values[i] is None for _, values in areas)]
    if not total_only:
        note = "Every year shown is split by area."
    elif len(total_only) == len(years):
        note = "No year was published split by area: the chart shows the totals."
    else:
        listed = ", ".join(total_only[:-1]) + (" and " if len(total_only) > 1 else "") + total_only[-1]
        note = f"{listed} {'was' if len(total_only) == 1 else 'were'} published only as a total, without the split by area."
    return ChartBlock(
        id="figure-mileposts",
        title=figure.layout.title.text,
        figure=charts.as_json(figure),
        columns=["Year", *(label for _, label in report.MILEPOST_AREA_CODES), "All areas"],
        rows=[[str(r[0]), *(str(v) if v != "" else "—" for v in r[1:])] for r in rows],
        csv_url=csv_url,
        note=note,
    )


def mileposts_csv_rows(history: list[PublishedYear]) -> tuple[list[str], list[list]]:
    area_codes = [code for code, _ in report.MILEPOST_AREA_CODES]
    columns = ["year", *(code.rsplit(".", 1)[1] for code in area_codes), "total", "release_status"]
    rows = []
    for h in sorted(history, key=lambda h: h.year):
        values = [h.number(code) for code in [*area_codes, codes.MILEPOSTS]]
        if all(v is None for v in values):
            continue
        rows.append(
            [h.year, *("" if v is None else report.format_number(v) for v in values), h.release.status]
        )
    return columns, rows


def trend_groups(history: list[PublishedYear], *, csv_url=None) -> list[TrendGroup]:
    """Every code published (shown or withheld) in more than one year, grouped by chart group.

    The years run over every published year; a year without a value stays a gap (None), never a zero.
    """
    chronological = sorted(history, key=lambda h: h.year)
    years = [h.year for h in chronological]
    labels = {h.year: h.release.year_label for h in chronological}
    statuses = {h.year: h.release.status for h in chronological}
    cells_by_code: dict[str, list] = {}
    for h in chronological:
        for code, value in h.values.items():
            cells_by_code.setdefault(code, [None] * len(years))[years.index(h.year)] = report.row_from(
                value, threshold=h.threshold
            )
    groups: dict[str, TrendGroup] = {}
    for code, cells in cells_by_code.items():
        if sum(cell is not None for cell in cells) < 2:
            continue
        latest = next(cell for cell in reversed(cells) if cell is not None)
        group_code = _group_of(history, code)
        trend = groups.setdefault(
            group_code, TrendGroup(group_code, report.group_title(group_code), years, statuses=statuses)
        )
        trend.series.append((latest, cells))
    ordered = sorted(groups.values(), key=lambda g: _group_order(g.code))
    for trend in ordered:
        # From the first to the last year with a value: the published years between are gaps, not zeros.
        present = [i for i in range(len(years)) if any(cells[i] is not None for _, cells in trend.series)]
        index = list(range(present[0], present[-1] + 1))
        trend_years = [years[i] for i in index]
        counts_members = codes.group_counts_members(trend.code)
        figure = charts.trend_lines(
            title=f"{trend.title}: {'members' if counts_members else 'figures'} by survey year",
            years=[labels[year] for year in trend_years],
            series=[
                (
                    latest.label,
                    [None if cells[i] is None or cells[i].suppressed else cells[i].value for i in index],
                )
                for latest, cells in trend.series
            ],
            y_title="Number of members" if counts_members else "Number",
        )
        trend.years = trend_years
        trend.series = [(latest, [cells[i] for i in index]) for latest, cells in trend.series]
        trend.summaries = [
            (
                latest.label,
                " → ".join(
                    f"{cell.shown} ({labels[year]})"
                    for year, cell in zip(trend_years, cells, strict=True)
                    if cell is not None
                ),
            )
            for latest, cells in trend.series
        ]
        trend.chart = ChartBlock(
            id=f"figure-trend-{trend.code}",
            title=figure.layout.title.text,
            figure=charts.as_json(figure),
            columns=["Measure", *(labels[year] for year in trend_years)],
            rows=[
                [latest.label, *(cell.shown if cell is not None else "—" for cell in cells)]
                for latest, cells in trend.series
            ],
            csv_url=csv_url(trend.code) if csv_url else "",
            caption="A dash (—) means no figure was published that year.",
        )
    return ordered


def trend_csv_rows(trend: TrendGroup) -> tuple[list[str], list[list]]:
    rows = [
        _chart_csv_row(year, latest.label, cell, trend.statuses.get(year, ""))
        for latest, cells in trend.series
        for year, cell in zip(trend.years, cells, strict=True)
        if cell is not None
    ]
    return CHART_CSV_COLUMNS, rows


def _group_of(history: list[PublishedYear], code: str) -> str:
    for h in sorted(history, key=lambda h: -h.year):
        value = h.get(code)
        if value is not None and value.group:
            return value.group
    return code.split(".", 1)[0]


_ORDER = [codes.MEMBERS, codes.MILEPOSTS_GROUP, *report.GROUPS_BY_CODE]


def _group_order(code: str) -> tuple[int, str]:
    return (_ORDER.index(code) if code in _ORDER else len(_ORDER), code)
