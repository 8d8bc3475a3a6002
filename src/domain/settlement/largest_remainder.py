"""Sharing a whole number of cents by weights, so that the shares add up exactly (Hare-Niemeyer)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from prorata.domain.money import scaled_integers

# Exact shares are shown to 6 decimals of the currency: 10⁴ parts of a cent.
_EXACT_PARTS_PER_CENT = 10_000


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
    if any(w < 0 for w in integers):
        raise ValueError("weights must not be negative")
    total_weight = sum(integers)
    if total_weight == 0:
        raise ValueError("weights add up to zero")
    cents: list[int] = []
    remainders: list[int] = []
    exact: list[Decimal] = []
    for weight in integers:
        share, remainder = divmod(magnitude * weight, total_weight)
        cents.append(share)
        remainders.append(remainder)
        parts, rest = divmod(remainder * _EXACT_PARTS_PER_CENT, total_weight)
        parts += share * _EXACT_PARTS_PER_CENT + (1 if 2 * rest >= total_weight else 0)
        exact.append(Decimal(sign * parts).scaleb(-6))
    left_over = magnitude - sum(cents)
    for index in heapq.nsmallest(left_over, range(len(cents)), key=lambda i: (-remainders[i], i)):
        cents[index] += 1
    return Shares([sign * c for c in cents], exact)
