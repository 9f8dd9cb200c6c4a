"""The member's private benchmark: their own answers beside the published industry figures."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from surveys.permissions import member_required

from .. import codes, report, selectors


@dataclass
class BenchmarkRow:
    label: str
    yours: str  # "Yes", "No" or "Not answered"
    industry: str  # "37 of 57 members", "a withheld number of the 57 members"
    sentence: str


def _your_answer(code: str, answers: dict) -> bool | None:
    """Whether the organisation's answer includes the option this code counts; None when not answered."""
    question, _, option = code.partition(".")
    value = answers.get(question)
    if value in (None, "", []):
        return None
    if not option:
        return value is True
    if isinstance(value, list):
        return option in value
    return value == option


def _rows(year: selectors.BenchmarkYear, group: report.Group) -> list[BenchmarkRow]:
    rows = []
    for value in year.published.in_group(group.code):
        published = report.row_from(value, threshold=year.published.threshold)
        yours = _your_answer(value.code, year.answers)
        phrase = published.of_members
        if yours:
            sentence = f"You reported “{published.label}” — as did {phrase}."
        elif yours is False:
            sentence = f"You did not report “{published.label}”; {phrase} did."
        else:
            sentence = f"You did not answer this question; {phrase} reported “{published.label}”."
        rows.append(
            BenchmarkRow(
                label=published.label,
                yours={True: "Yes", False: "No", None: "Not answered"}[yours],
                industry=phrase,
                sentence=sentence,
            )
        )
    return rows


@member_required
def member_benchmark(request):
    """Only the organisation's own answers, and only published (never withheld) figures."""
    years = []
    for year in selectors.member_benchmark(organization=request.organization):
        data = year.published
        by_area = {
            label: count
            for area, label in report.AREAS
            if (count := sum(1 for advanced in year.mileposts if advanced.milepost.area == area))
        }
        members = data.number(codes.MEMBERS) or data.release.respondents
        years.append(
            {
                "year": data.year,
                "release": data.release,
                "pages": [
                    {
                        "page": page,
                        "groups": [
                            {"group": group, "rows": rows}
                            for group in page.groups
                            if (rows := _rows(year, group))
                        ],
                    }
                    for page in report.PAGES
                ],
                "mileposts": year.mileposts,
                "mileposts_by_area": by_area,
                "industry_mileposts": data.number(codes.MILEPOSTS),
                "industry_per_member": data.number(codes.MILEPOSTS_PER_MEMBER),
                "industry_members": None if members is None else int(members),
            }
        )
    response = render(
        request, "metrics/member_benchmark.html", {"organization": request.organization, "years": years}
    )
    add_never_cache_headers(response)
    return response
