from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata.domain.money import from_cents, plain, plain_all, round_half_up, to_cents


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("5194.126", 2, "5194.13"),
        ("0.005", 2, "0.01"),
        ("0.0049999", 2, "0.00"),
        ("-0.005", 2, "-0.01"),
        ("166.4355", 3, "166.436"),
    ],
)
def test_rounds_half_up_exactly(value: str, places: int, expected: str) -> None:
    assert round_half_up(Decimal(value), places) == Decimal(expected)


def test_rounds_fractions_exactly() -> None:
    assert round_half_up(Fraction(2, 3), 3) == Decimal("0.667")


def test_cents_round_trip() -> None:
    assert to_cents(Decimal("1234.50")) == 123450
    assert from_cents(-5) == Decimal("-0.05")


def test_refuses_fractions_of_a_cent() -> None:
    with pytest.raises(ValueError, match="fractions of a cent"):
        to_cents(Decimal("1.005"))


@pytest.mark.parametrize(
    ("value", "expected"), [("8.50", "8.5"), ("1E+2", "100"), ("0.000", "0"), ("-0", "0")]
)
def test_plain_quantities_have_no_exponent_or_trailing_zeros(value: str, expected: str) -> None:
    assert plain(Decimal(value)) == expected


@given(
    st.lists(
        st.decimals(allow_nan=False, allow_infinity=False)
        | st.sampled_from(
            [
                Decimal("-0"),
                Decimal("-0.000"),
                Decimal("0E-6"),
                Decimal("1.2300"),
                Decimal("1E+3"),
                Decimal("5E-7"),
            ]
        )
    )
)
def test_a_column_of_quantities_is_written_as_each_one_alone(values: list[Decimal]) -> None:
    assert plain_all(values) == [plain(value) for value in values]
