"""One byte budget per file: whatever the children parse, the parent takes no more than
PRORATA_MAX_DECODED_BYTES of it, however small the file and however many its sheets."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.problems import InvalidInput
from prorata.domain.readings.extract import holds_readings
from tests import workbooks

BUDGET = 2 * 1024 * 1024
LONG = "x" * 1_000  # one shared string: each cell costs the file a few bytes, the parent a kilobyte


def reader(tmp_path: Path, budget: int | None) -> SpreadsheetReader:
    env = {"PRORATA_DATA_DIR": str(tmp_path / "var")}
    if budget is not None:
        env["PRORATA_MAX_DECODED_BYTES"] = str(budget)
    return bootstrap(Settings.from_environment(env)).spreadsheet_reader


def many_long_sheets(path: Path, first: dict[str, workbooks.Rows] | None = None) -> Path:
    """30 sheets of 200 rows × 5 cells of 1,000 characters: about 30 MB handed back, from a small file."""
    long: workbooks.Rows = [[LONG] * 5 for _ in range(200)]
    return workbooks.xlsx(path, {**(first or {}), **{f"Hoja{i}": long for i in range(30)}})


def test_a_small_workbook_of_many_long_sheets_is_too_large_and_the_parent_stays_within_budget(
    tmp_path: Path,
) -> None:
    path = many_long_sheets(tmp_path / "largo.xlsx")
    assert path.stat().st_size < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput) as raised:
            reader(tmp_path, BUDGET).read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.code for p in raised.value.problems] == ["file_too_large"]
    assert raised.value.problems[0].message.startswith("largo.xlsx: ")
    assert peak < 3 * BUDGET, f"the parent held {peak} bytes for a budget of {BUDGET}"


def test_within_the_default_budget_the_same_workbook_reads_whole(tmp_path: Path) -> None:
    workbook = reader(tmp_path, None).read(many_long_sheets(tmp_path / "largo.xlsx"))
    assert len(workbook.sheets) == 30
    assert workbook.sheets[29].rows[199] == (LONG,) * 5


def test_reading_up_to_the_readings_sheet_takes_only_its_bytes_every_time(tmp_path: Path) -> None:
    """The sheets after the readings sheet are parsed side by side, but never counted: the outcome is the
    same whichever child is faster."""
    first: dict[str, workbooks.Rows] = {
        "Lecturas": [["Piso", "Lectura anterior", "Lectura actual"], ["1A", 1, 2]]
    }
    path = many_long_sheets(tmp_path / "lecturas.xlsx", first)
    budgeted = reader(tmp_path, BUDGET)
    for _ in range(3):
        workbook = budgeted.read(path, holds_readings())
        assert [s.name for s in workbook.sheets] == ["Lecturas"]


def test_a_csv_over_the_budget_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "lecturas.csv"
    path.write_text("Piso;Lectura\r\n" + "".join(f"{i};{'9' * 900}\r\n" for i in range(3_000)))
    with pytest.raises(InvalidInput) as raised:
        reader(tmp_path, BUDGET).read(path)
    assert [p.code for p in raised.value.problems] == ["file_too_large"]


def test_one_sheet_larger_than_the_whole_budget_is_too_large(tmp_path: Path) -> None:
    path = workbooks.xlsx(tmp_path / "una.xlsx", {"Hoja": [[LONG] * 10 for _ in range(500)]})
    with pytest.raises(InvalidInput) as raised:
        reader(tmp_path, BUDGET).read(path)
    assert [p.code for p in raised.value.problems] == ["file_too_large"]
    assert "'Hoja'" in raised.value.problems[0].message
