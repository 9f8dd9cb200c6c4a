"""Importing figures the coalition published before raw responses were kept."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from surveys.models import Submission

from ..indicators import definition_for_unknown_code, indicators_sync
from ..models import IndicatorDefinition, IndicatorValue, YearState

COLUMNS = ("year", "indicator", "value", "denominator", "note")
MAX_VALUE = 10**11


class HistoryImportError(Exception):
    """The file cannot be imported; the message lists every problem with its line number."""


@dataclass
class ImportReport:
    years: list[int] = field(default_factory=list)
    values: int = 0
    created_definitions: list[str] = field(default_factory=list)

    def summary(self) -> str:
        years = ", ".join(map(str, self.years)) or "no years"
        created = (
            f"; {len(self.created_definitions)} new indicator definitions" if self.created_definitions else ""
        )
        return f"Imported {self.values} published figures for {years}{created}."


@dataclass(frozen=True)
class _Row:
    line: int
    year: int
    code: str
    value: Decimal
    denominator: int | None
    note: str


def _parse(path: Path) -> list[_Row]:
    problems: list[str] = []
    rows: list[_Row] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise HistoryImportError(
            f"Cannot read {path}: {error}. Check the path, and save the file as UTF-8."
        ) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise HistoryImportError(
            f"The file needs the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}."
        )
    for line, raw in enumerate(reader, start=2):
        try:
            year = int(raw["year"])
            if not 1000 <= year <= 9999:  # the API and the pages only know four-digit years
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"line {line}: the year “{raw['year']}” is not a four-digit year.")
            continue
        code = (raw["indicator"] or "").strip()
        try:
            value = Decimal((raw["value"] or "").strip())
            # The upper bound is what the value column holds (12 digits, one after the point).
            if not value.is_finite() or not 0 <= value < MAX_VALUE:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                f"line {line}: the value “{raw['value']}” is not a number from 0 to {MAX_VALUE - 1}."
            )
            continue
        denominator_text = (raw["denominator"] or "").strip()
        if denominator_text and not (
            denominator_text.isascii() and denominator_text.isdigit() and int(denominator_text) < 10**9
        ):
            problems.append(f"line {line}: the denominator “{denominator_text}” is not a whole number.")
            continue
        if not code:
            problems.append(f"line {line}: the indicator code is empty.")
            continue
        rows.append(
            _Row(line, year, code, value, int(denominator_text) if denominator_text else None, (raw["note"] or "").strip()[:300])
        )  # fmt: skip
    if problems:
        raise HistoryImportError(
            "Nothing was imported. Fix these lines and try again:\n" + "\n".join(problems)
        )
    return rows


@transaction.atomic
def published_figures_import(*, path: str | Path, years: Iterable[int] | None = None) -> ImportReport:
    """Import published figures (year,indicator,value,denominator,note) as imported values; idempotent.

    Only years without approved submissions may be imported (imported and computed values never mix);
    `years` limits the import to some years of the file. Unknown codes get a definition whose label comes
    from the code. A year's earlier imported or computed values are replaced.
    """
    rows = _parse(Path(path))
    if years is not None:
        wanted = set(years)
        rows = [row for row in rows if row.year in wanted]
    file_years = sorted({row.year for row in rows})
    with_raw = sorted(
        set(
            Submission.objects.filter(cycle__year__in=file_years, status=Submission.Status.APPROVED)
            .values_list("cycle__year", flat=True)
            .distinct()
        )
    )
    if with_raw:
        raise HistoryImportError(
            f"{', '.join(map(str, with_raw))} already {'has' if len(with_raw) == 1 else 'have'} approved "
            "submissions, so the figures are computed from them; imported figures would mix with computed ones. "
            "Remove those years from the file."
        )
    seen: dict[tuple[int, str], int] = {}
    problems = []
    for row in rows:
        if (row.year, row.code) in seen:
            problems.append(
                f"line {row.line}: {row.year} {row.code} already appears on line {seen[row.year, row.code]}."
            )
        seen[row.year, row.code] = row.line
    if problems:
        raise HistoryImportError(
            "Nothing was imported. Fix these lines and try again:\n" + "\n".join(problems)
        )

    report = ImportReport(years=file_years)
    indicators_sync(cycle=None)
    definitions = {d.code: d for d in IndicatorDefinition.objects.filter(code__in={row.code for row in rows})}
    for row in rows:
        if row.code not in definitions:
            try:
                definition = definition_for_unknown_code(row.code)
            except ValueError as error:
                raise HistoryImportError(f"Nothing was imported. line {row.line}: {error}") from error
            definition.save()
            definitions[row.code] = definition
            report.created_definitions.append(row.code)

    now = timezone.now()
    IndicatorValue.objects.filter(year__in=file_years).delete()
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                year=row.year,
                indicator=definitions[row.code],
                value=row.value,
                denominator=row.denominator,
                is_imported=True,
                note=row.note,
                computed_at=now,
            )
            for row in rows
        ]  # fmt: skip
    )
    for year in file_years:
        YearState.objects.update_or_create(
            year=year, defaults={"needs_recompute": False, "computed_at": now, "respondent_ids": []}
        )
    report.values = len(rows)
    return report
