from decimal import Decimal

import pytest

from prorata.domain.readings.numbers import detect_decimal_separator, parse_number


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
