"""The distribution sheet as an XLSX workbook (openpyxl, write-only: rows are streamed to the file as they
are made, so a 50,000-unit community costs no 50,000-row worksheet in memory).

Two sheets, one layout in every language (only the words change):
- units ("Distribution"): a title row, the header row (frozen, with the unit column), one row per unit —
  kind, coefficient, area, consumption, an estimated mark, one amount per pool, total — then a totals row,
  and the bill, the difference and the check.
- pools ("Pools"): each pool's concept, part, basis, amount, total weight and rate, their total, the bill
  and the check.

Numbers are numbers (Decimal written as such) with `#,##0.00` formats for money. The totals rows are
`=SUM(…)` formulas over the rows above, and they are the only formulas: openpyxl cannot compute them, so
the file carries no cached value and the spreadsheet program computes them on opening (the workbook asks
for a full calculation on load). Every text — unit codes, concepts, the community's name — goes through
`safe_text`, so none is ever read as a formula; sheet names go through `sheet_titles`."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from prorata.domain.community.model import Language
from prorata.domain.imports.safe_text import safe_text, sheet_titles
from prorata.domain.settlement.distribution import Distribution, SheetPool
from prorata.domain.settlement.distribution_labels import day, labels, named

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
QUANTITY = "#,##0.###"
COEFFICIENT = "#,##0.00##"
AREA = "#,##0.00"
RATE = "#,##0.000000"
_BOLD = Font(bold=True)
# The units sheet: the title row, then the header row; units start on the row after.
_HEADER_ROW = 2
_KEYS = (("coefficient", COEFFICIENT), ("area", AREA), ("consumption", QUANTITY))

Value = str | Decimal | None


class OpenpyxlDistributionWorkbook:
    media_type = XLSX
    extension = "xlsx"

    def render(self, sheet: Distribution, language: Language) -> bytes:
        words = labels(language)
        book = Workbook(write_only=True)
        units_title, pools_title = sheet_titles([words["sheet_units"], words["sheet_pools"]])
        _units(book.create_sheet(units_title), sheet, words, language)
        _pools(book.create_sheet(pools_title), sheet, words)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def title(sheet: Distribution, words: Mapping[str, str], language: Language) -> str:
    settlement, community = sheet.settlement, sheet.community
    number = f"{words['settlement']} {settlement.number}" if settlement.number else words["settlement"]
    period = f"{day(settlement.period.start, language)} - {day(settlement.period.end, language)}"
    return (
        f"{words['title']} · {community.name} ({community.code}) · "
        f"{named(words, 'service', settlement.service.value)} · {period} · {number} "
        f"({words[settlement.status.value]}) · {sheet.currency}"
    )


def pool_heading(index: int, pool: SheetPool, words: Mapping[str, str]) -> str:
    return f"P{index + 1} {pool.concept} · {named(words, 'part', pool.part.value)}"


def basis_text(pool: SheetPool, words: Mapping[str, str]) -> str:
    basis = named(words, "basis", pool.basis)
    return words["fallback_note"].format(basis=basis) if pool.fallback else basis


def verdict(sheet: Distribution, words: Mapping[str, str]) -> str:
    return words["check_ok"] if sheet.balanced else words["check_failed"]


def note(sheet: Distribution, words: Mapping[str, str], language: Language) -> str:
    published = sheet.settlement.published_at
    if published is None:
        return words["draft_note"]
    return words["published_note"].format(day=day(published.date(), language))


def _units(
    out: WriteOnlyWorksheet, sheet: Distribution, words: Mapping[str, str], language: Language
) -> None:
    pools = sheet.pools
    width = 6 + len(pools) + 1
    total_column = width
    _widths(out, [14, 12, 12, 12, 13, 10, *[16] * len(pools), 14])
    out.freeze_panes = f"B{_HEADER_ROW + 1}"
    out.append([_cell(out, title(sheet, words, language), bold=True)])
    headings = [words[k] for k in ("unit", "kind", "coefficient", "area", "consumption", "estimated")]
    headings += [pool_heading(i, p, words) for i, p in enumerate(pools)] + [words["total"]]
    out.append([_cell(out, h, bold=True) for h in headings])
    for row in sheet.rows:
        kind = named(words, "kind", row.kind.value) if row.kind else None
        out.append(
            [
                _cell(out, row.code),
                _cell(out, kind),
                _cell(out, row.coefficient, COEFFICIENT),
                _cell(out, row.area, AREA),
                _cell(out, row.consumption, QUANTITY),
                _cell(out, words["yes"] if row.estimated else None),
                *[_cell(out, amount, MONEY) for amount in row.amounts],
                _cell(out, row.total, MONEY),
            ]
        )
    first, last = _HEADER_ROW + 1, _HEADER_ROW + len(sheet.rows)
    totals: list[WriteOnlyCell] = [_cell(out, words["total"], bold=True), _cell(out, None)]
    key_totals = [sheet.key_total(name) for name, _ in _KEYS]
    for offset, ((_, number_format), fallback) in enumerate(zip(_KEYS, key_totals, strict=True)):
        totals.append(_sum(out, 3 + offset, first, last, number_format, fallback))
    totals.append(_cell(out, None))
    for offset, fallback in enumerate(sheet.pool_totals):
        totals.append(_sum(out, 7 + offset, first, last, MONEY, fallback))
    totals.append(_sum(out, total_column, first, last, MONEY, sheet.receipts_total))
    out.append(totals)
    out.append([])
    for label, amount in ((words["bill"], sheet.bill), (words["difference"], sheet.difference)):
        padding = [_cell(out, None) for _ in range(total_column - 2)]
        out.append([_cell(out, label, bold=True), *padding, _cell(out, amount, MONEY, bold=True)])
    out.append([_cell(out, words["check"], bold=True), _cell(out, verdict(sheet, words), bold=True)])
    out.append([_cell(out, note(sheet, words, language))])
    if any(row.estimated for row in sheet.rows):
        out.append([_cell(out, words["estimated_note"])])


def _pools(out: WriteOnlyWorksheet, sheet: Distribution, words: Mapping[str, str]) -> None:
    _widths(out, [8, 28, 14, 28, 14, 14, 14])
    out.freeze_panes = "A2"
    keys = ("pool", "concept", "part", "basis", "amount", "total_weight", "rate")
    out.append([_cell(out, words[k], bold=True) for k in keys])
    for index, pool in enumerate(sheet.pools):
        out.append(
            [
                _cell(out, f"P{index + 1}"),
                _cell(out, pool.concept),
                _cell(out, named(words, "part", pool.part.value)),
                _cell(out, basis_text(pool, words)),
                _cell(out, pool.amount, MONEY),
                _cell(out, pool.total_weight, QUANTITY),
                _cell(out, pool.rate, RATE),
            ]
        )
    amounts = sum((p.amount for p in sheet.pools), Decimal("0.00"))
    blank = [_cell(out, None) for _ in range(3)]
    out.append(
        [_cell(out, words["total"], bold=True), *blank, _sum(out, 5, 2, 1 + len(sheet.pools), MONEY, amounts)]
    )
    out.append([])
    for label, amount in (
        (words["bill"], sheet.bill),
        (words["receipts_total"], sheet.receipts_total),
        (words["difference"], sheet.difference),
    ):
        out.append([_cell(out, label, bold=True), *blank, _cell(out, amount, MONEY, bold=True)])
    out.append([_cell(out, words["check"], bold=True), _cell(out, verdict(sheet, words), bold=True)])
    out.append([_cell(out, words["rate_note"])])


def _widths(out: WriteOnlyWorksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        out.column_dimensions[get_column_letter(index)].width = width


def _sum(
    out: WriteOnlyWorksheet, column: int, first: int, last: int, number_format: str, fallback: Decimal | None
) -> WriteOnlyCell:
    """A totals cell: SUM over the column's rows `first`..`last`, or — with no rows to sum — the total
    itself as a number."""
    if last < first:
        return _cell(out, fallback, number_format, bold=True)
    letter = get_column_letter(column)
    cell = WriteOnlyCell(out, f"=SUM({letter}{first}:{letter}{last})")
    cell.number_format = number_format
    cell.font = _BOLD
    return cell


def _cell(
    out: WriteOnlyWorksheet, value: Value, number_format: str | None = None, bold: bool = False
) -> WriteOnlyCell:
    """Text made safe (never a formula), a Decimal written as a number without exponent."""
    if isinstance(value, str):
        cell = WriteOnlyCell(out, safe_text(value))
        cell.data_type = "s"  # a text is never a formula, whatever it starts with
    else:
        cell = WriteOnlyCell(out, None if value is None else Decimal(format(value, "f")))
    if number_format is not None and value is not None:
        cell.number_format = number_format
    if bold:
        cell.font = _BOLD
    return cell
