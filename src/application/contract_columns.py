"""The units of a large contract request read column by column: every check and conversion is one pass
of C over a column (a unit's codes, its coefficients, its readings' previous values…), where reading the
units one by one, field by field, took longer than prorating them (0.25 s for 50,000 units with their
readings). Only requests whose every unit is well-formed take this way; any other is read unit by unit
(contract_request), which says what is wrong and where."""

from __future__ import annotations

from decimal import Decimal
from itertools import chain, islice, repeat
from typing import Any

from prorata.application.json_fields import all_unsigned_decimal_texts
from prorata.domain.settlement.request import ONE, Reading, Unit

_UNIT = frozenset({"unit", "coefficient", "area", "metered", "readings"})
# A reading by its meter's index: previous and current (required), the meter, a factor.
_READING = frozenset({"meter", "previous", "current", "factor"})


def units_by_columns(items: list[Any]) -> list[Unit | None] | None:
    """Every unit, or None when any is not plainly well-formed."""
    if not items or set(map(type, items)) != {dict} or not all(map(_UNIT.issuperset, items)):
        return None
    codes: list[Any] = list(map(dict.get, items, repeat("unit")))
    metered = [True if flag is None else flag for flag in map(dict.get, items, repeat("metered"))]
    if set(map(type, codes)) != {str} or not all(map(str.strip, codes)) or set(map(type, metered)) != {bool}:
        return None
    keys = [_decimals(list(map(dict.get, items, repeat(name)))) for name in ("coefficient", "area")]
    readings = _readings(list(map(dict.get, items, repeat("readings"))))
    if keys[0] is None or keys[1] is None or readings is None:
        return None
    return list(
        map(tuple.__new__, repeat(Unit), zip(codes, keys[0], keys[1], metered, readings, strict=True))
    )


def _readings(lists: list[Any]) -> list[tuple[Reading, ...]] | None:
    """Each unit's readings, from a column of `readings` fields (absent, or lists of readings)."""
    if set(map(type, lists)) <= {type(None)}:
        return [()] * len(lists)
    if not set(map(type, lists)) <= {list, type(None)}:
        return None
    lists = [found or () for found in lists]
    items = list(chain.from_iterable(lists))
    if not items:
        return [()] * len(lists)
    if set(map(type, items)) != {dict} or not all(map(_READING.issuperset, items)):
        return None
    meters: list[Any] = list(map(dict.get, items, repeat("meter")))
    named = [meter for meter in meters if meter is not None]
    if named and (set(map(type, named)) != {str} or not all(map(str.strip, named))):
        return None
    previous, current = (
        _decimals(list(map(dict.get, items, repeat(name)))) for name in ("previous", "current")
    )
    factors = _decimals(list(map(dict.get, items, repeat("factor"))))
    if previous is None or current is None or factors is None or None in previous or None in current:
        return None
    factors = [ONE if factor is None else factor for factor in factors]
    made = iter(
        map(
            tuple.__new__,
            repeat(Reading),
            zip(meters, previous, current, repeat(None), factors, repeat(None), repeat(None), repeat(None)),
        )
    )
    return [tuple(islice(made, len(found))) for found in lists]


def _decimals(texts: list[Any]) -> list[Decimal | None] | None:
    """The decimals of a column of texts that are all absent or all unsigned contract decimals."""
    if set(map(type, texts)) == {type(None)}:
        return texts
    if not all_unsigned_decimal_texts(texts):
        return None
    return list(map(Decimal, texts))
