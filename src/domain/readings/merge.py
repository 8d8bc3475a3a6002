"""Adding the readings found in a file to the units of a settlement request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.extract import UnitReading
from prorata.domain.settlement.request import Reading, SettlementRequest, Unit, unit_key


def merge_readings(request: SettlementRequest, found: Sequence[UnitReading]) -> SettlementRequest:
    """The request with each file reading added to its unit, matched by code (trimmed,
    case-insensitive). Raises InvalidInput with an `unknown_unit` problem per row naming no unit."""
    positions = {unit_key(unit.code): i for i, unit in enumerate(request.units)}
    keys = [unit_key(item.unit) for item in found]
    added: dict[int, list[Reading]] = {}
    problems: list[Problem] = []
    for item, position in zip(found, map(positions.get, keys), strict=True):
        if position is None:
            problems.append(
                Problem(
                    ErrorCode.UNKNOWN_UNIT,
                    f"row {item.reading.row}: unit {item.unit!r} is not in the settlement",
                    unit=item.unit,
                    meter=item.reading.meter,
                    row=item.reading.row,
                )
            )
        elif (readings := added.get(position)) is None:
            added[position] = [item.reading]
        else:
            readings.append(item.reading)
    if problems:
        raise InvalidInput(problems)
    units = tuple(
        Unit(unit.code, unit.coefficient, unit.area, unit.metered, unit.readings + tuple(more))
        if (more := added.get(i))
        else unit
        for i, unit in enumerate(request.units)
    )
    return replace(request, units=units)
