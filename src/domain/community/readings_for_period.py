"""The units of a settlement as the engine needs them, built from a community's meters and readings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from prorata.domain.community.model import CommunityUnit, Meter, MeterReading
from prorata.domain.settlement.request import Period, Reading, Service, Unit


def settlement_units(
    units: Sequence[CommunityUnit],
    meters: Iterable[Meter],
    readings: Iterable[MeterReading],
    service: Service,
    period: Period,
) -> tuple[Unit, ...]:
    """One settlement unit per community unit, in the order given. A unit is metered when it has a meter
    for `service`. Each meter reads from its last reading on or before the period's start (or its first
    one inside the period) to its last one on or before the period's end; a meter with fewer than two such
    readings has none, so the unit is missing or estimated."""
    by_unit: dict[str, list[Meter]] = defaultdict(list)
    for meter in meters:
        if meter.service is service:
            by_unit[meter.unit_id].append(meter)
    by_meter: dict[str, list[MeterReading]] = defaultdict(list)
    for reading in readings:
        by_meter[reading.meter_id].append(reading)
    result = []
    for unit in units:
        unit_meters = sorted(by_unit.get(unit.id, []), key=lambda m: m.serial)
        found = [r for m in unit_meters if (r := _reading(m, by_meter.get(m.id, []), period)) is not None]
        result.append(
            Unit(
                code=unit.code,
                coefficient=unit.coefficient,
                area=unit.area,
                metered=bool(unit_meters),
                readings=tuple(found),
            )
        )
    return tuple(result)


def _reading(meter: Meter, readings: list[MeterReading], period: Period) -> Reading | None:
    ordered = sorted(readings, key=lambda r: r.read_on)
    before = [r for r in ordered if r.read_on <= period.start]
    inside = [r for r in ordered if period.start < r.read_on <= period.end]
    start = before[-1] if before else (inside[0] if inside else None)
    if start is None:
        return None
    later = [r for r in inside if r.read_on > start.read_on]
    if not later:
        return None
    end = later[-1]
    return Reading(
        meter=meter.serial,
        previous=start.value,
        current=end.value,
        factor=meter.factor,
        rollover=meter.rollover,
        read_on=end.read_on,
    )
