"""Numbers in imported files as a user sees them read: the decimal separator of each column, money to the
cent, percentages, digit bounds — each a row error naming the row and column, never a silent guess."""

from decimal import Decimal

import pytest

from prorata.domain.imports.contents import FileContents
from prorata.domain.imports.interpret import interpret
from prorata.domain.readings.sheet import Cell, Sheet, Workbook


def book(*rows: tuple[Cell, ...], hint: str | None = ",") -> Workbook:
    """One sheet as the CSV reader gives it (a ";" CSV suggests a decimal comma)."""
    return Workbook("file.csv", (Sheet("file", rows),), decimal_hint=hint)


def errors(contents: FileContents) -> list[tuple[str, int | None, str | None]]:
    return [(p.code.value, p.row, p.column) for p in contents.problems]


SPANISH = (
    ("Vivienda", "Coeficiente", "Contador", "Lectura anterior", "Lectura actual"),
    ("1.1", "2,125", "C1", "1.100", "1.350"),
    ("1.2", "1,5", "C2", "987", "1.234"),
    ("2.1", "3", "C3", "2.000", "2.100"),
)


def test_unit_codes_with_a_point_do_not_decide_how_a_spanish_file_writes_its_numbers() -> None:
    contents = interpret(book(*SPANISH), "C0012")
    assert errors(contents) == []
    found = contents.communities["C0012"]
    assert {u.code: u.coefficient for u in found.units.values()} == {
        "1.1": Decimal("2.125"),
        "1.2": Decimal("1.5"),
        "2.1": Decimal("3"),
    }
    assert [(r.unit, r.reading.previous, r.reading.current) for r in found.readings] == [
        ("1.1", Decimal("1100"), Decimal("1350")),
        ("1.2", Decimal("987"), Decimal("1234")),
        ("2.1", Decimal("2000"), Decimal("2100")),
    ]


def test_readings_that_nothing_in_the_file_decides_are_ambiguous_not_guessed() -> None:
    """An XLSX with text cells gives no locale hint, and no other column shows the separator."""
    contents = interpret(
        book(
            ("Piso", "Lectura anterior", "Lectura actual"),
            ("1A", "1.100", "1.350"),
            ("1B", "5", "7"),
            hint=None,
        ),
        "C1",
    )
    assert errors(contents) == [
        ("ambiguous_number", 2, "Lectura anterior"),
        ("ambiguous_number", 2, "Lectura actual"),
    ]
    assert [r.unit for r in contents.communities["C1"].readings] == ["1B"]


def test_another_column_of_the_file_decides_the_ambiguous_one() -> None:
    contents = interpret(
        book(
            ("Piso", "Superficie", "Lectura anterior", "Lectura actual"),
            ("1A", "85.5", "1.100", "1.350"),
            hint=None,
        ),
        "C1",
    )
    assert errors(contents) == []
    [reading] = contents.communities["C1"].readings
    assert (reading.reading.previous, reading.reading.current) == (Decimal("1.1"), Decimal("1.35"))


@pytest.mark.parametrize("amount", ["1234,565", "0,001", "12,3456"])
def test_a_cost_with_fractions_of_a_cent_is_a_row_error_not_rounded(amount: str) -> None:
    contents = interpret(book(("Concepto", "Importe"), ("Gas", "100,00"), ("Gasóleo", amount)), "C1")
    assert errors(contents) == [("invalid_number", 3, "Importe")]
    assert [(c.concept, c.amount) for c in contents.communities["C1"].costs] == [("Gas", Decimal("100.00"))]


@pytest.mark.parametrize("amount", ["1" * 31, Decimal("1" * 31), "1" * 16, Decimal("1E+40")])
def test_a_cost_with_too_many_digits_is_a_row_error(amount: Cell) -> None:
    contents = interpret(book(("Concepto", "Importe"), ("Gasóleo", amount)), "C1")
    assert errors(contents) == [("invalid_number", 2, "Importe")]


def test_an_amount_per_unit_with_fractions_of_a_cent_is_a_row_error() -> None:
    contents = interpret(
        book(("Vivienda", "Importe"), ("1A", "10,50"), ("1B", "10,505"), ("1C", "9" * 20)), "C1"
    )
    assert errors(contents) == [("invalid_number", 3, "Importe"), ("invalid_number", 4, "Importe")]
    assert [a for _, a, _ in contents.communities["C1"].unit_amounts.values()] == [Decimal("10.50")]


@pytest.mark.parametrize(
    ("header", "share", "expected"),
    [
        ("Parte consumo", "70 %", "0.70"),
        ("Parte consumo", "70%", "0.70"),
        ("Parte consumo", "0,70", "0.70"),
        ("Parte consumo", "0.7", "0.70"),
        ("Parte consumo", "1%", "0.01"),
        ("Parte consumo", "0,5 %", "0.005"),
        ("Parte consumo", "1", "1"),
        ("Parte consumo", Decimal("0.7"), "0.7"),
        ("Parte consumo %", "70", "0.70"),
        ("Porcentaje consumo", "70", "0.70"),
        ("Verbrauchsanteil", "60", "0.60"),
        ("Porcentaje de consumo", "60", "0.60"),
        ("Pourcentage de consommation", "60", "0.60"),
        ("Percentatge consum", "60", "0.60"),
        ("Porcentaje consumo", Decimal("100"), "1"),
    ],
)
def test_a_consumption_share_is_a_fraction_or_a_percentage(header: str, share: Cell, expected: str) -> None:
    contents = interpret(book(("Concepto", "Importe", header), ("Gas", "100", share)), "C1")
    assert errors(contents) == []
    [cost] = contents.communities["C1"].costs
    assert cost.consumption_share == Decimal(expected)


@pytest.mark.parametrize(
    ("header", "share"),
    [
        ("Parte consumo", "70"),  # a bare 70 is a percent only where the header says so
        ("Parte consumo", Decimal("70")),
        ("Parte consumo", "150 %"),
        ("Parte consumo %", "150"),
        ("Parte consumo", "-5 %"),
        ("Parte consumo", "1,5"),
    ],
)
def test_a_consumption_share_out_of_range_is_a_row_error(header: str, share: Cell) -> None:
    contents = interpret(book(("Concepto", "Importe", header), ("Gas", "100", share)), "C1")
    assert errors(contents) == [("invalid_number", 2, header)]
    assert "C1" not in contents.communities or contents.communities["C1"].costs == []
