from decimal import Decimal

import pytest

from prorata.domain.settlement.largest_remainder import share_cents


def weights(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


@pytest.mark.parametrize(
    ("cents", "by", "expected"),
    [
        # moneyphp/money docs, allocation
        (5, weights("70", "30"), [4, 1]),
        (5, weights("30", "70"), [2, 3]),
        (800, weights("1", "1", "1"), [267, 267, 266]),
        # php-largest-remainder README
        (100, weights("1", "1", "1"), [34, 33, 33]),
        (100, weights("92", "93", "70"), [36, 37, 27]),
        # Hare-Niemeyer, de.wikipedia: 60 seats
        (60, weights("216", "310", "22", "32"), [23, 32, 2, 3]),
    ],
)
def test_reproduces_published_allocations(cents: int, by: list[Decimal], expected: list[int]) -> None:
    assert share_cents(cents, by) == expected


def test_equal_remainders_favour_the_weight_listed_first() -> None:
    assert share_cents(2, weights("1", "1", "1")) == [1, 1, 0]


def test_weights_are_exact_decimals_without_rounding_of_rates() -> None:
    # 1/3 rounded to any number of decimals would tip the remainders; exact weights do not.
    assert share_cents(100, weights("0.333", "0.333", "0.334")) == [33, 33, 34]


def test_a_negative_total_is_shared_as_its_absolute_value_then_negated() -> None:
    assert share_cents(-100, weights("1", "1", "1")) == [-34, -33, -33]


def test_a_zero_weight_gets_nothing_even_with_cents_left_over() -> None:
    assert share_cents(7, weights("0", "1", "1", "0")) == [0, 4, 3, 0]


def test_weights_adding_up_to_zero_are_refused() -> None:
    with pytest.raises(ValueError, match="zero"):
        share_cents(100, weights("0", "0"))
