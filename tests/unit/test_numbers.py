import re
from decimal import Decimal
from typing import Any

import pytest

from prorata.domain.readings.headers import Field
from prorata.domain.readings.number_columns import NumberError, column_numbers
from prorata.domain.readings.numbers import (
    CONTRACT_DECIMAL,
    INTEGER_DIGITS,
    QUANTITY_DECIMALS,
    detect_decimal_separator,
    parse_number,
)
from prorata.domain.readings.sheet import Cell
from tests.contract import errors


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1.022,4", ",", "1022.4"),
        ("833,0", ",", "833.0"),
        ("990", ",", "990"),
        ("1.234.567,891", ",", "1234567.891"),
        ("1,234.56", ".", "1234.56"),
        ("1 234,56", ",", "1234.56"),
        ("1\u202f234,56", ",", "1234.56"),
        ("1'234.56", ".", "1234.56"),
        ("-12,5", ",", "-12.5"),
        (" 7 ", ".", "7"),
    ],
)
def test_reads_numbers_as_spreadsheets_show_them(text: str, separator: str, expected: str) -> None:
    assert parse_number(text, separator) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,3,4", "1.23.4", "abc", "1,2.3", "12..3", "", "1.2345,6", "1e5"])
def test_refuses_what_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text, ",")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.022,4"], ","),
        (["990", "833,0"], ","),
        (["1,234.5"], "."),
        (["1.234.567"], ","),
        (["0,125"], ","),
        (["15613,327"], ","),  # five digits before it: no thousands group is that long
        (["-15613.327"], "."),
        (["1.234", "5"], None),
    ],
)
def test_detects_the_decimal_separator_from_the_values_that_show_it(
    values: list[str], expected: str | None
) -> None:
    assert detect_decimal_separator(values) == expected


# The one reader every path uses: a sheet's columns, each deciding its own decimal separator.


def read(
    column: list[Cell],
    field: Field = Field.CURRENT,
    hint: str | None = None,
    header: str = "Lectura",
    **others: list[Cell],
) -> list[str]:
    """Each cell of `column` as read (its number's text, or the error's code), beside `others` columns
    named by field (`coefficient=[...]`)."""
    cells: dict[Field, list[Cell]] = {field: column, **{Field(name): cells for name, cells in others.items()}}
    headers = {f: header if f is field else f.value for f in cells}
    numbers = column_numbers(cells, headers, hint)[field]
    shown = []
    for cell in column:
        try:
            shown.append(str(numbers.read(cell)))
        except NumberError as error:
            shown.append(error.code.value)
    return shown


@pytest.mark.parametrize(
    ("column", "hint", "expected"),
    [
        (["1.100", "1.350", "0,5"], None, ["1100", "1350", "0.5"]),  # "0,5" shows a decimal comma
        (["1.100", "1.350", "2.5"], None, ["1.100", "1.350", "2.5"]),
        (["1.100", "1.234,5"], None, ["1100", "1234.5"]),
        (["1,100", "1,234.5"], None, ["1100", "1234.5"]),
        (["1.100", "1.234.567"], None, ["1100", "1234567"]),  # a repeated point groups
        (["1.100", "15613.327"], None, ["1.100", "15613.327"]),  # no group is five digits long
        (["1.100", "0.125"], None, ["1.100", "0.125"]),
        (["1.100", "833,0"], None, ["1100", "833.0"]),
        (["1.100", "987"], ",", ["1100", "987"]),  # nothing shows it: the format's hint
        (["1.100", "987"], ".", ["1.100", "987"]),
        (["1.100", "987"], None, ["ambiguous_number", "987"]),
        (["-2,125", "12"], None, ["ambiguous_number", "12"]),
        (
            ["1,5", "2,5", "3.5"],
            None,
            ["1.5", "2.5", "invalid_number"],
        ),  # most cells decide; the odd one is refused
        (["1,5", "2.5"], None, ["1.5", "invalid_number"]),  # a tie: the first cell that shows one
        (["2,5", "1.100"], ".", ["2.5", "1100"]),  # the column's own cells before the hint
        ([Decimal("1.1"), "1.100"], None, ["1.1", "ambiguous_number"]),  # a numeric cell shows nothing
        (["", None, " "], None, ["None", "None", "None"]),
    ],
)
def test_each_column_decides_its_decimal_separator_from_its_own_cells(
    column: list[Cell], hint: str | None, expected: list[str]
) -> None:
    assert read(column, hint=hint) == expected


def test_a_column_that_shows_nothing_takes_the_separator_the_other_numeric_columns_show() -> None:
    assert read(["1.100", "1.350"], coefficient=["2,125", "1,5"]) == ["1100", "1350"]
    assert read(["1.100", "1.350"], hint=",", area=["85.5"]) == ["1.100", "1.350"]  # the file before the hint
    assert read(["1.100"], previous=["1.234,5"], area=["85.5"]) == ["ambiguous_number"]  # they disagree
    assert read(["1.100"], hint=",", previous=["1.234,5"], area=["85.5"]) == ["1100"]


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1 234 567,5", ",", "1234567.5"),
        ("1\u00a0234,56", ",", "1234.56"),
        ("1’234.56", ".", "1234.56"),
        ("1,234,567.891", ".", "1234567.891"),
        (",5", ",", "0.5"),
        ("+12", ",", "12"),
    ],
)
def test_reads_thousands_grouped_in_threes(text: str, separator: str, expected: str) -> None:
    assert parse_number(text, separator) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["12 34", "1 23,5", "1.234 567,8", "0.125", "1.23", "1,2345", "+", "-", ",", "1,"]
)
def test_refuses_grouping_that_is_not_in_threes(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text, "," if text != "1,2345" else ".")


@pytest.mark.parametrize(
    ("cell", "field", "expected"),
    [
        ("999999999999999", Field.CURRENT, "999999999999999"),
        ("1000000000000000", Field.CURRENT, "invalid_number"),  # 16 digits before the separator
        ("1" * 31, Field.CURRENT, "invalid_number"),
        (Decimal("1" * 31), Field.CURRENT, "invalid_number"),
        (Decimal("1E+40"), Field.AREA, "invalid_number"),
        ("1" * 31, Field.AMOUNT, "invalid_number"),
        ("-1" + "0" * 15, Field.AMOUNT, "invalid_number"),
        ("65657,12299999999", Field.CURRENT, "65657.123000000"),  # float noise: a quantity keeps 9 decimals
        ("1234,56", Field.AMOUNT, "1234.56"),
        ("1234,565", Field.AMOUNT, "invalid_number"),  # money is never rounded
        (Decimal("1234.565"), Field.AMOUNT, "invalid_number"),
        ("0,001", Field.AMOUNT, "invalid_number"),
        ("1234,500", Field.AMOUNT, "1234.500"),  # no fraction of a cent in it
        ("-12,5", Field.AMOUNT, "-12.5"),
        ("siete", Field.AMOUNT, "invalid_number"),
        ("NaN", Field.CURRENT, "invalid_number"),
        ("1e5", Field.CURRENT, "invalid_number"),
    ],
)
def test_numbers_are_held_to_the_contracts_digits_and_money_to_the_cent(
    cell: Cell, field: Field, expected: str
) -> None:
    assert read([cell, "1,5"], field) == [expected, "1.5"]


@pytest.mark.parametrize(
    ("cell", "header", "expected"),
    [
        ("70 %", "Parte consumo", "0.7"),
        ("70%", "Parte consumo", "0.7"),
        ("0,70", "Parte consumo", "0.70"),
        ("0.7", "Parte consumo", "0.7"),
        ("1%", "Parte consumo", "0.01"),
        ("0,5 %", "Parte consumo", "0.005"),
        ("100 %", "Parte consumo", "1"),
        ("1", "Parte consumo", "1"),
        ("70", "Parte consumo", "invalid_number"),  # a bare 70 is a percent only where the header says so
        ("70", "Parte consumo %", "0.7"),
        ("70", "Porcentaje consumo", "0.7"),
        ("70", "Percentatge consum", "0.7"),
        ("70", "Pourcentage consommation", "0.7"),
        ("70", "Verbrauchsanteil", "0.7"),
        ("70", "Consumption percent", "0.7"),
        ("0.7", "Porcentaje consumo", "0.7"),
        ("101", "Porcentaje consumo", "invalid_number"),
        ("150 %", "Parte consumo", "invalid_number"),
        ("-5 %", "Parte consumo", "invalid_number"),
        ("33,3333333333 %", "Parte consumo", "0.333333333"),
        ("70 €", "Parte consumo", "invalid_number"),
    ],
)
def test_a_share_is_a_fraction_or_a_percentage(cell: str, header: str, expected: str) -> None:
    assert read([cell], Field.SHARE, hint=",", header=header) == [expected]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"costs": [{"concept": "Gas", "amount": "1" * 31}]}, "costs[0].amount"),
        ({"costs": [{"concept": "Gas", "amount": "1" * 16}]}, "costs[0].amount"),
        ({"costs": [{"concept": "Gas", "amount": "1234.565"}]}, "costs[0].amount"),
        ({"costs": [{"concept": "Gas", "amount": "1234,56"}]}, "costs[0].amount"),  # the contract's point
        ({"units": [{"unit": "A", "coefficient": "1" * 31}]}, "units[0].coefficient"),
        (
            {"units": [{"unit": "A", "readings": [{"consumption": "1." + "1" * 10}]}]},
            "units[0].readings[0].consumption",
        ),
        ({"consumption_share": "70 %"}, "consumption_share"),
        ({"units": [{"unit": "A", "coefficient": "١٢"}]}, "units[0].coefficient"),  # other scripts' digits
    ],
)
def test_the_json_contract_holds_numbers_to_the_same_digits_as_files(
    changes: dict[str, Any], field: str
) -> None:
    request = {"costs": [{"concept": "Gas", "amount": "10.00"}], "units": [{"unit": "A", "coefficient": "1"}]}
    assert [(e["code"], e["field"]) for e in errors({**request, **changes})] == [("invalid_request", field)]


def test_every_path_holds_json_decimals_to_the_same_digits() -> None:
    assert re.fullmatch(CONTRACT_DECIMAL, "9" * INTEGER_DIGITS + "." + "9" * QUANTITY_DECIMALS)
    assert not re.fullmatch(CONTRACT_DECIMAL, "9" * (INTEGER_DIGITS + 1))
    assert not re.fullmatch(CONTRACT_DECIMAL, "1." + "9" * (QUANTITY_DECIMALS + 1))
    assert not re.fullmatch(CONTRACT_DECIMAL, "١٢")  # digits of other scripts are not the contract's
