"""Adding the readings found in a file to the units of a settlement request."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from operator import add, attrgetter

from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.extract import UnitReading
from prorata.domain.settlement.request import Reading, SettlementRequest, Unit


def merge_readings(request: SettlementRequest, found: Sequence[UnitReading]) -> SettlementRequest:
    """The request with each file reading added to its unit, matched by code (trimmed,
    case-insensitive). Raises InvalidInput with an `unknown_unit` problem per row naming no unit."""
    # A settlement of 50,000 units read from a file merges 50,000 readings: keys and lookups go a column
    # at a time, and only the units that get readings are made anew.
    positions = dict(zip(_keys(map(attrgetter("code"), request.units)), itertools.count()))
    places = list(map(positions.get, _keys(map(attrgetter("unit"), found))))
    if None in places:
        raise InvalidInput(
            [_unknown(item) for item, place in zip(found, places, strict=True) if place is None]
        )
    units = list(request.units)
    if found and len(set(places)) == len(places):
        # A reading a unit (most files): the units made anew a column at a time, without the named
        # tuple's Python constructor (1 µs each).
        touched = list(zip(*[units[place] for place in places], strict=True))  # type: ignore[index]
        extended = map(add, touched[4], zip(map(attrgetter("reading"), found)))
        made = map(tuple.__new__, itertools.repeat(Unit), zip(*touched[:4], extended, strict=True))
        for place, unit in zip(places, made, strict=True):
            units[place] = unit  # type: ignore[index]  # no None left
        return replace(request, units=tuple(units))
    added: dict[int, list[Reading]] = {}
    for place, item in zip(places, found, strict=True):
        added.setdefault(place, []).append(item.reading)  # type: ignore[arg-type]  # no None left
    for place, readings in added.items():
        unit = units[place]
        units[place] = Unit(unit.code, unit.coefficient, unit.area, unit.metered, (*unit.readings, *readings))
    return replace(request, units=tuple(units))


def _keys(codes: Iterable[str]) -> Iterator[str]:
    """`unit_key` of each code, a pass of C each."""
    return map(str.casefold, map(str.strip, codes))


def _unknown(item: UnitReading) -> Problem:
    return Problem(
        ErrorCode.UNKNOWN_UNIT,
        f"row {item.reading.row}: unit {item.unit!r} is not in the settlement",
        unit=item.unit,
        meter=item.reading.meter,
        row=item.reading.row,
    )
