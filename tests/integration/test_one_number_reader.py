"""`prorata simulate --readings FILE` and an import read the same file's numbers alike, and as written: the
same rows, generated in any locale, through the CSV reader into both paths give the same numbers — or the
same `ambiguous_number` rows, when nothing in the file shows its decimal separator."""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.application.simulate import ReadingsFile, simulate
from prorata.domain.imports.interpret import interpret
from prorata.domain.problems import InvalidInput

HEADER = ["Vivienda", "Coeficiente", "Contador", "Lectura anterior", "Lectura actual"]
READING_COLUMNS = {"Lectura anterior", "Lectura actual"}
# Codes that look like numbers ("1.100" too): they must decide nothing.
CODES = ["1.1", "1.2", "2.1", "1.100", "2,125", "1ºA", "Bajo B", "3", "10.001", "Ático"]


@dataclass(frozen=True)
class Locale:
    delimiter: str
    decimal: str
    grouping: str  # "" for none


LOCALES = st.sampled_from(
    [
        Locale(";", ",", "."),
        Locale(";", ",", ""),
        Locale(";", ",", " "),
        Locale(",", ".", ","),
        Locale(",", ".", ""),
        Locale("\t", ",", "."),  # a tab tells nothing of the locale
        Locale("\t", ".", ","),
        Locale("\t", ".", ""),
    ]
)


def decimals(top: int) -> st.SearchStrategy[Decimal]:
    """Values written with 0 to 3 decimals, trailing zeros kept as a person types them ("1,100")."""
    return st.builds(
        lambda whole, places: Decimal(whole).scaleb(-places),
        st.integers(0, top * 1000),
        st.integers(0, 3),
    )


def written(value: Decimal, locale: Locale) -> str:
    whole, _, fraction = format(value, "f").partition(".")
    if locale.grouping:
        whole = f"{int(whole):,}".replace(",", locale.grouping)
    return whole + (locale.decimal + fraction if fraction else "")


ROWS = st.lists(st.tuples(decimals(99), decimals(99_999), decimals(5_000)), min_size=1, max_size=len(CODES))


@settings(max_examples=150, deadline=None)
@given(locale=LOCALES, rows=ROWS)
def test_simulate_and_an_import_read_the_same_rows_as_the_same_numbers(
    locale: Locale, rows: list[tuple[Decimal, Decimal, Decimal]]
) -> None:
    codes = CODES[: len(rows)]
    intended = {
        code: (previous, previous + delta) for code, (_, previous, delta) in zip(codes, rows, strict=True)
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lecturas.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=locale.delimiter)
            writer.writerow(HEADER)
            for code, (coefficient, previous, delta) in zip(codes, rows, strict=True):
                cells = [coefficient, previous, previous + delta]
                writer.writerow(
                    [code, written(cells[0], locale), f"M{code}", *(written(c, locale) for c in cells[1:])]
                )
        simulated, simulate_problems = _simulated(path, codes)
        imported, import_problems, coefficients = _imported(path)

    assert simulate_problems == import_problems
    assert {code for _, _, code in import_problems} <= {"ambiguous_number"}
    ambiguous_rows = {row for row, _, _ in import_problems}
    read_right = {
        code: values
        for row, (code, values) in enumerate(intended.items(), start=2)
        if row not in ambiguous_rows
    }
    assert imported == read_right
    if simulated is not None:
        assert simulated == read_right
    else:
        assert ambiguous_rows  # simulate refuses the file only for what the import refuses too
    for code, (coefficient, _, _) in zip(codes, rows, strict=True):
        assert coefficients.get(code) in (coefficient, None)  # None: an ambiguous coefficient, reported


def _simulated(
    path: Path, codes: list[str]
) -> tuple[dict[str, tuple[Decimal, Decimal]] | None, list[tuple[int | None, str | None, str]]]:
    request = {
        "consumption_share": "1",
        "costs": [{"concept": "Calefacción", "amount": "100.00"}],
        "units": [{"unit": code, "coefficient": "1"} for code in codes],
    }
    try:
        result = simulate(request, AnyFormatSpreadsheetReader(), ReadingsFile(path))
    except InvalidInput as error:
        return None, sorted((p.row, p.column, p.code.value) for p in error.problems)
    read: dict[str, tuple[Decimal, Decimal]] = {}
    for receipt in result.receipts:
        [meter] = receipt.meters
        assert meter.previous is not None
        assert meter.current is not None
        read[receipt.unit] = (meter.previous, meter.current)
    return read, []


def _imported(
    path: Path,
) -> tuple[
    dict[str, tuple[Decimal, Decimal]], list[tuple[int | None, str | None, str]], dict[str, Decimal | None]
]:
    contents = interpret(AnyFormatSpreadsheetReader().read(path), "C1")
    found = contents.communities.get("C1")
    readings = {}
    coefficients: dict[str, Decimal | None] = {}
    if found is not None:
        for item in found.readings:
            assert item.reading.previous is not None
            assert item.reading.current is not None
            readings[item.unit] = (item.reading.previous, item.reading.current)
        coefficients = {unit.code: unit.coefficient for unit in found.units.values()}
    problems: list[tuple[int | None, str | None, str]] = sorted(
        (p.row, p.column, p.code.value) for p in contents.problems if p.column in READING_COLUMNS
    )  # the coefficients are the import's only: simulate takes the units from its request
    return readings, problems, coefficients
