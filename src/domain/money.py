"""Exact money and quantity arithmetic: integer cents, half-up rounding, no float anywhere."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal, getcontext
from fractions import Fraction
from itertools import repeat
from operator import itemgetter

# Wide enough that quantizing any bounded input is exact.
_QUANTIZE = Context(prec=200, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Whole cents of an amount that has at most two decimals."""
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(cents)


_CENT = Decimal("0.01")


def from_cents(cents: int) -> Decimal:
    return _CENT * cents


def amounts_from_cents(cents: Iterable[int]) -> Iterator[Decimal]:
    """`from_cents` of each, without a Python call per amount."""
    return map(_CENT.__mul__, cents)


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


def plain_all(values: Sequence[Decimal]) -> list[str]:
    """`plain` of each value, for a column of 100,000s (an output's weights, shares, readings). str()
    writes a decimal as `plain` does, in a fifth of the time, unless it uses an exponent, has zeros after
    its point or more digits than `normalize` keeps (the context's precision)."""
    texts = list(map(str, values))
    joined = "\n".join(texts) + "\n"
    if not texts or "E" in joined or max(map(len, texts)) > getcontext().prec:
        return list(map(plain, values))
    if "." not in joined or "0\n" not in joined:
        # No text has zeros after its point: one look at the whole column spares three passes over it.
        return ["0" if text == "-0" else text for text in texts] if "-0\n" in joined else texts
    pointed = list(map(str.__contains__, texts, repeat(".")))
    if all(pointed):  # most columns: every value with decimals, or none
        texts = list(map(str.rstrip, map(str.rstrip, texts, repeat("0")), repeat(".")))
    elif any(pointed):
        texts = [
            text.rstrip("0").rstrip(".") if point else text
            for text, point in zip(texts, pointed, strict=True)
        ]
    return ["0" if text == "-0" else text for text in texts] if "-0" in texts else texts


def scaled_integers(values: list[Decimal]) -> list[int]:
    """The values multiplied by one power of ten that makes them all integers, exactly."""
    if not all(map(Decimal.is_finite, values)):
        raise ValueError("weights must be finite numbers")
    # The scale read from the values' texts: str() is one C call, where as_tuple() builds a named tuple
    # in Python (5× the time). str writes an exponent only past 6 leading zeros or above the last digit.
    texts = list(map(str, values))
    if "E" in "".join(texts):
        scale = max((max(0, -value.as_tuple().exponent) for value in values), default=0)  # type: ignore[operator]
        return list(map(int, map(_QUANTIZE.scaleb, values, repeat(scale))))
    places = list(map(len, map(itemgetter(2), map(str.partition, texts, repeat(".")))))
    scale = max(places, default=0)
    if min(places, default=0) == scale:
        # Every value written with as many decimals (a column of coefficients, of consumptions): its
        # digits are the integer, read in a third less time than by scaling each decimal.
        return list(map(int, map(str.replace, texts, repeat("."), repeat(""))))
    # With this precision no digit is ever rounded away.
    return list(map(int, map(_QUANTIZE.scaleb, values, repeat(scale))))
