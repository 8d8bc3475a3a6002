"""Exact money and quantity arithmetic: integer cents, half-up rounding, no float anywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

# Wide enough that quantizing any bounded input is exact.
_QUANTIZE = Context(prec=200, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Whole cents of an amount that has at most two decimals."""
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def round_half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """`value` rounded half away from zero to `places` decimals, computed exactly."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-places), context=_QUANTIZE)
    exact = value * 10**places
    magnitude = abs(exact)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * rest >= magnitude.denominator:
        whole += 1
    return Decimal(-whole if exact < 0 else whole).scaleb(-places)


def plain(value: Decimal) -> str:
    """A quantity without exponent or trailing zeros: 8.50 -> '8.5', 1E+2 -> '100'."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def scaled_integers(values: list[Decimal]) -> list[int]:
    """The values multiplied by one power of ten that makes them all integers, exactly."""
    scale = max((max(0, -_exponent(v)) for v in values), default=0)
    # scaleb only moves the exponent; with this precision no digit is ever rounded away.
    return [int(value.scaleb(scale, context=_QUANTIZE)) for value in values]


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    return exponent
