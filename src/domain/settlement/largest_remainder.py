"""Sharing a whole number of cents by weights, so that the shares add up exactly (Hare-Niemeyer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import add, floordiv, mod, mul, neg

from prorata.domain.money import scaled_integers
from prorata.domain.settlement.result import Millionths

# Exact shares are shown to 6 decimals of the currency: 10⁴ parts of a cent.
_EXACT_PARTS_PER_CENT = 10_000


@dataclass(frozen=True, slots=True)
class Shares:
    """Each weight's share in cents, and its exact share before rounding (to 6 decimals, half-up)."""

    cents: list[int]
    exact: Millionths


def share_cents(total_cents: int, weights: Sequence[Decimal]) -> list[int]:
    """Each weight's share of `total_cents`: the floor of its exact share, then one cent more for the
    largest fractional remainders; equal remainders favour the weight listed first. A negative total is
    shared as its absolute value, then negated. Weights are exact decimals; their sum must be positive.
    """
    return share(total_cents, weights).cents


def share(total_cents: int, weights: Sequence[Decimal]) -> Shares:
    """`share_cents`, with the exact share of each weight beside it."""
    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    integers = scaled_integers(list(weights))
    if integers and min(integers) < 0:
        raise ValueError("weights must not be negative")
    total_weight = sum(integers)
    if total_weight == 0:
        raise ValueError("weights add up to zero")
    # Integer arithmetic throughout, a column at a time: whole cents and remainders by floor division;
    # the exact share in 10⁻⁶, rounded half-up, is ⌊(2·x + T) / 2T⌋ for x = N·w·10⁴ and T the total weight.
    products = list(map(mul, integers, repeat(magnitude)))
    cents = list(map(floordiv, products, repeat(total_weight)))
    remainders = list(map(mod, products, repeat(total_weight)))
    twice_parts, twice_total = 2 * magnitude * _EXACT_PARTS_PER_CENT, 2 * total_weight
    halves_up = map(add, map(mul, integers, repeat(twice_parts)), repeat(total_weight))
    millionths = list(map(floordiv, halves_up, repeat(twice_total)))
    exact = Millionths(millionths if sign > 0 else list(map(neg, millionths)))
    left_over = magnitude - sum(cents)
    if left_over:
        # A stable sort keeps equal remainders in the order of the units: the first listed wins the tie.
        for index in sorted(range(len(cents)), key=remainders.__getitem__, reverse=True)[:left_over]:
            cents[index] += 1
    return Shares([sign * c for c in cents] if sign < 0 else cents, exact)
