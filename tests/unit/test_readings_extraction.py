from decimal import Decimal

import pytest

from prorata.domain.problems import InvalidInput
from prorata.domain.readings.extract import extract_readings
from prorata.domain.readings.headers import Field
from prorata.domain.readings.sheet import Cell, Sheet


def sheet(*rows: tuple[Cell, ...]) -> Sheet:
    return Sheet("Lecturas", tuple(rows))


def test_finds_the_header_row_below_a_title_block_and_numbers_rows_as_a_spreadsheet_does() -> None:
    found = extract_readings(
        sheet(
            ("Comunidad de Propietarios Calle Mayor 12",),
            ("Lecturas de calefacción 1T 2026",),
            (),
            ("Piso", "Contador", "Lectura anterior", "Lectura actual", "Fecha"),
            ("1º A", "HC-1", "1.022,4", "1.198,9", "31/03/2026"),
            ("1º B", "HC-2", Decimal("833"), Decimal("951.7"), None),
            (None, None, None, None),
            ("Total", None, None, "2.150,6"),
        )
    )
    assert found.problems == []
    assert [(r.unit, r.reading.meter, r.reading.row) for r in found.readings] == [
        ("1º A", "HC-1", 5),
        ("1º B", "HC-2", 6),
    ]
    first = found.readings[0].reading
    assert (first.previous, first.current, str(first.read_on)) == (
        Decimal("1022.4"),
        Decimal("1198.9"),
        "2026-03-31",
    )


def test_a_bad_cell_is_reported_by_row_and_column_and_the_other_rows_still_read() -> None:
    found = extract_readings(
        sheet(
            ("Unit", "Meter", "Previous", "Current"),
            ("A", "M1", "10", "20"),
            ("B", "M2", "10", "2O"),
        )
    )
    assert [r.unit for r in found.readings] == ["A"]
    [problem] = found.problems
    assert (problem.code, problem.row, problem.column, problem.unit) == ("invalid_number", 3, "Current", "B")
    assert "'2O' is not a number" in problem.message


def test_reads_a_layout_no_synonym_knows_with_a_mapping() -> None:
    mapping = {
        Field.UNIT: "Ref. Piso",
        Field.METER: "Num. Cont.",
        Field.PREVIOUS: "L.Ant",
        Field.CURRENT: "L.Act",
    }
    found = extract_readings(
        sheet(("Ref. Piso", "Num. Cont.", "L.Ant", "L.Act"), ("2B", "X-9", "1,5", "3,25")), mapping, ","
    )
    [reading] = found.readings
    assert (reading.unit, reading.reading.previous, reading.reading.current) == (
        "2B",
        Decimal("1.5"),
        Decimal("3.25"),
    )


def test_a_file_without_a_reading_column_is_a_missing_column() -> None:
    with pytest.raises(InvalidInput) as raised:
        extract_readings(sheet(("Piso", "Contador", "Lectura anterior"), ("1A", "C1", "5")))
    assert [(p.code, p.column, p.row) for p in raised.value.problems] == [("missing_column", "current", 1)]


def test_a_file_without_a_unit_column_is_a_missing_column() -> None:
    with pytest.raises(InvalidInput) as raised:
        extract_readings(sheet(("Foo", "Bar"), ("1", "2")))
    assert [p.code for p in raised.value.problems] == ["missing_column"]


def test_reads_consumption_given_directly_with_its_factor() -> None:
    found = extract_readings(
        sheet(("Wohnung", "Zähler", "Verbrauch", "Faktor"), ("W1", "Z1", "12,5", "0,8")), None, ","
    )
    reading = found.readings[0].reading
    assert (reading.consumption, reading.factor, reading.previous) == (Decimal("12.5"), Decimal("0.8"), None)


def test_a_unit_with_no_values_in_its_row_has_no_reading() -> None:
    found = extract_readings(sheet(("Unit", "Previous", "Current"), ("A", None, None), ("B", "1", "2")))
    assert [r.unit for r in found.readings] == ["B"]
    assert found.problems == []


def test_float_noise_beyond_nine_decimals_is_rounded_and_huge_numbers_refused() -> None:
    found = extract_readings(
        sheet(
            ("Unit", "Previous", "Current"), ("A", "1", "65657,12299999999"), ("B", "1", "1234567890123456")
        ),
        None,
        ",",
    )
    assert found.readings[0].reading.current == Decimal("65657.123000000")
    assert [(p.code, p.row, p.column) for p in found.problems] == [("invalid_number", 3, "Current")]


def test_a_mapping_that_misses_the_reading_columns_is_reported_not_raised() -> None:
    from prorata.domain.imports.interpret import interpret
    from prorata.domain.readings.sheet import Workbook

    contents = interpret(
        Workbook("l.csv", (sheet(("Piso", "Fecha"), ("1A", "31/12/2026")),)), "C1", {Field.UNIT: "Piso"}
    )
    assert [p.code for p in contents.problems] == ["missing_column"]  # no reading column at all
    assert contents.communities == {}
    # An import counts a current reading alone ("Lectura") from the meter's history.
    current = interpret(
        Workbook("l.csv", (sheet(("Piso", "Lectura"), ("1A", "3")),)), "C1", {Field.UNIT: "Piso"}
    )
    assert [r.current for r in current.communities["C1"].current_only] == [Decimal(3)]
