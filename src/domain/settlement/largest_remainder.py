"""Sharing a whole number of cents by weights, so that the shares add up exactly (Hare-Niemeyer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from prorata.domain.money import scaled_integers

# Exact shares are shown to 6 decimals of the currency: 10⁴ parts of a cent.
_EXACT_PARTS_PER_CENT = 10_000
_MILLIONTH = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Shares:
    """Each weight's share in cents, and its exact share before rounding (to 6 decimals, half-up)."""

    cents: list[int]
    exact: list[Decimal]


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
    # Integer arithmetic throughout: a divmod gives the whole cents and the remainder; the exact share
    # in 10⁻⁶, rounded half-up, is ⌊(2·x + T) / 2T⌋ for x = N·w·10⁴ and T the total weight.
    cents, remainders = map(list, zip(*[divmod(magnitude * w, total_weight) for w in integers], strict=True))
    twice_parts, twice_total = 2 * magnitude * _EXACT_PARTS_PER_CENT, 2 * total_weight
    millionths = [(twice_parts * w + total_weight) // twice_total for w in integers]
    exact = list(map(_MILLIONTH.__mul__, millionths if sign > 0 else [-m for m in millionths]))
    left_over = magnitude - sum(cents)
    if left_over:
        # A stable sort keeps equal remainders in the order of the units: the first listed wins the tie.
        for index in sorted(range(len(cents)), key=remainders.__getitem__, reverse=True)[:left_over]:
            cents[index] += 1
    return Shares([sign * c for c in cents] if sign < 0 else cents, exact)
