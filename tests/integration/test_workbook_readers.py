"""XLSX, legacy XLS and ODS read as the CSV is; crafted workbooks end as clean errors, never a crash."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.domain.problems import InvalidInput
from prorata.domain.readings.extract import extract_readings, holds_readings, readings_sheet
from tests import workbooks

TITLE_BLOCK: list[list[Any]] = [
    ["Comunidad de Propietarios Calle Mayor 12"],
    ["Lecturas calefacción 1T 2026"],
    [],
    ["Piso", "Nº Contador", "Lectura anterior", "Lectura actual", "Fecha"],
    ["1ºA", "HC-1", 1022.4, 1198.9, "31/03/2026"],
    ["1ºB", "HC-2", 833, 951.7, "31/03/2026"],
]


@pytest.mark.parametrize("write", [workbooks.xlsx, workbooks.xls, workbooks.ods], ids=["xlsx", "xls", "ods"])
def test_reads_every_workbook_format_below_a_title_block(tmp_path: Path, write: Callable[..., Path]) -> None:
    path = write(tmp_path / f"lecturas.{write.__name__}", {"Portada": [["Informe"]], "Lecturas": TITLE_BLOCK})
    workbook = AnyFormatSpreadsheetReader().read(path)
    sheet = readings_sheet(workbook.sheets)
    found = extract_readings(sheet, None, workbook.decimal_hint)
    assert found.problems == []
    assert [(r.unit, r.reading.previous, r.reading.current, r.reading.row) for r in found.readings] == [
        ("1ºA", Decimal("1022.4"), Decimal("1198.9"), 5),
        ("1ºB", Decimal("833"), Decimal("951.7"), 6),
    ]


BOMBS = {
    "declares A1:XFD1048576": (workbooks.xlsx_declaring_every_cell, "file_too_large"),
    "a cell at XFD1048576": (workbooks.xlsx_with_a_far_cell, "file_too_large"),
    "inflates to 500 MB": (workbooks.zip_bomb, "file_too_large"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_crafted_workbook_is_a_clean_error_and_the_reader_lives_on(tmp_path: Path, name: str) -> None:
    make, code = BOMBS[name]
    path = make(tmp_path / "bomb.xlsx")
    reader = AnyFormatSpreadsheetReader()
    with pytest.raises(InvalidInput) as raised:
        reader.read(path)
    assert [p.code for p in raised.value.problems] == [code]
    assert "bomb.xlsx" in raised.value.problems[0].message
    good = workbooks.xlsx(tmp_path / "good.xlsx", {"Lecturas": TITLE_BLOCK})
    assert reader.read(good).sheets[0].name == "Lecturas"
    assert os.getpid()  # this process is still here to say so


@pytest.mark.parametrize(
    "content", [b"PK\x03\x04 not really a zip", b"\xd0\xcf\x11\xe0 not really an OLE file"]
)
def test_a_broken_workbook_is_unsupported(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as raised:
        AnyFormatSpreadsheetReader().read(path)
    assert [p.code for p in raised.value.problems] == ["unsupported_file"]


def test_float_noise_in_computed_cells_reads_as_the_value_meant(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Piso", "Lectura anterior", "Lectura actual"],
        ["1A", 0.1 + 0.2, 90000.123 + 17],
    ]
    workbook = AnyFormatSpreadsheetReader().read(workbooks.xlsx(tmp_path / "noise.xlsx", {"Lecturas": rows}))
    assert workbook.sheets[0].rows[1][1:] == (Decimal("0.3"), Decimal("90017.123"))


@pytest.mark.parametrize("write", [workbooks.xlsx, workbooks.ods], ids=["xlsx", "ods"])
def test_every_sheet_reads_whole_past_its_first_rows_with_its_cells_typed(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    long: list[list[Any]] = [["Piso", "Lectura anterior", "Lectura actual", "Fecha", "Leído"]]
    long += [[f"U{i:03d}", i, i + 0.5, dt.date(2026, 3, 31), True] for i in range(1, 150)]
    long.append(["último", None, 7, None, "x"])
    sheets = {"Primera": long, "Costes": [["Concepto", "Importe"], ["Gas", 10.25]], "Última": long}
    workbook = AnyFormatSpreadsheetReader().read(write(tmp_path / f"largo.{write.__name__}", sheets))
    assert [s.name for s in workbook.sheets] == ["Primera", "Costes", "Última"]
    for sheet in (workbook.sheets[0], workbook.sheets[2]):
        rows = sheet.rows
        assert len(rows) == 151
        assert rows[0] == ("Piso", "Lectura anterior", "Lectura actual", "Fecha", "Leído")
        assert rows[120] == ("U120", Decimal(120), Decimal("120.5"), dt.date(2026, 3, 31), "TRUE")
        assert rows[150] == ("último", None, Decimal(7), None, "x")
        assert list(rows[149:]) == [rows[149], rows[150]]
        assert len(list(rows)) == 151
    assert tuple(workbook.sheets[1].rows) == (("Concepto", "Importe"), ("Gas", Decimal("10.25")))


def test_a_sheet_longer_than_what_a_reader_hands_over_at_once_reads_row_for_row(tmp_path: Path) -> None:
    """The reader hands a sheet over a chunk of rows at a time (10,000 after the first 50): rows across
    those boundaries — empty ones among them — read as they are written, in their places."""
    gaps = {*range(45, 56), *range(10_040, 10_061)}
    long: list[list[Any]] = [["Piso", "Lectura actual", "Fecha"]]
    long += [[] if i in gaps else [f"U{i}", i + 0.25, dt.date(2026, 3, 31)] for i in range(2, 10_120)]
    workbook = AnyFormatSpreadsheetReader().read(workbooks.xlsx(tmp_path / "largo.xlsx", {"L": long}))
    expected = [tuple(Decimal(str(c)) if isinstance(c, float) else c for c in row) for row in long]
    assert list(workbook.sheets[0].rows) == expected


def test_reading_up_to_the_readings_sheet_ignores_a_crafted_sheet_after_it_every_time(tmp_path: Path) -> None:
    """`simulate` reads a workbook up to its readings sheet; sheets are parsed side by side, but which
    of them comes back first never changes the outcome."""
    before: dict[str, workbooks.Rows] = {
        "Lecturas": TITLE_BLOCK,
        "Costes": [["Concepto", "Importe"], ["Gas", 10.25]],
    }
    path = workbooks.xlsx_with_a_far_cell(tmp_path / "lecturas.xlsx", before)
    reader = AnyFormatSpreadsheetReader()
    for _ in range(3):
        workbook = reader.read(path, holds_readings())
        assert [s.name for s in workbook.sheets] == ["Lecturas"]
        assert len(extract_readings(readings_sheet(workbook.sheets)).readings) == 2
        with pytest.raises(InvalidInput) as raised:
            reader.read(path)  # every sheet: the crafted one is reached
        assert [p.code for p in raised.value.problems] == ["file_too_large"]


def test_without_a_readings_sheet_every_sheet_is_read(tmp_path: Path) -> None:
    sheets: dict[str, workbooks.Rows] = {
        "Portada": [["Informe"]],
        "Costes": [["Concepto", "Importe"], ["Gas", 10.25]],
    }
    workbook = AnyFormatSpreadsheetReader().read(
        workbooks.xlsx(tmp_path / "sin.xlsx", sheets), holds_readings()
    )
    assert [s.name for s in workbook.sheets] == ["Portada", "Costes"]
