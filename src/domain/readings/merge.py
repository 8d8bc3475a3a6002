"""Adding the readings found in a file to the units of a settlement request."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.extract import UnitReading
from prorata.domain.settlement.request import Reading, SettlementRequest, Unit, unit_key


def merge_readings(request: SettlementRequest, found: Sequence[UnitReading]) -> SettlementRequest:
    """The request with each file reading added to its unit, matched by code (trimmed,
    case-insensitive). Raises InvalidInput with an `unknown_unit` problem per row naming no unit."""
    # A settlement of 50,000 units read from a file merges 50,000 readings: keys and lookups go a column
    # at a time, and only the units that get readings are made anew.
    positions = dict(zip(map(unit_key, (unit.code for unit in request.units)), itertools.count()))
    places = list(map(positions.get, map(unit_key, (item.unit for item in found))))
    if None in places:
        raise InvalidInput(
            [_unknown(item) for item, place in zip(found, places, strict=True) if place is None]
        )
    added: dict[int, list[Reading]] = {}
    for place, item in zip(places, found, strict=True):
        added.setdefault(place, []).append(item.reading)  # type: ignore[arg-type]  # no None left
    units = list(request.units)
    for place, readings in added.items():
        unit = units[place]
        units[place] = Unit(unit.code, unit.coefficient, unit.area, unit.metered, (*unit.readings, *readings))
    return replace(request, units=tuple(units))


def _unknown(item: UnitReading) -> Problem:
    return Problem(
        ErrorCode.UNKNOWN_UNIT,
        f"row {item.reading.row}: unit {item.unit!r} is not in the settlement",
        unit=item.unit,
        meter=item.reading.meter,
        row=item.reading.row,
    )
