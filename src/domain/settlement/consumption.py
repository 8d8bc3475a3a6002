"""Consumption of each unit: from its meters' readings, or estimated from the measured units.

Worked out a column at a time over every reading of every unit: the arithmetic of a column is one pass of
C calls over it, where a Python call per reading and unit took longer than sharing the bill (50,000 of
them in a large settlement). Only the readings that need more — a meter that wrapped or went backwards, a
meter read twice — are looked at one by one."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from operator import and_, attrgetter, is_, mul, not_, sub
from typing import Any

from prorata.domain.money import plain
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.settlement.request import AreaAverageEstimation, Reading, SettlementRequest, Unit
from prorata.domain.settlement.result import MeterColumns

_ZERO = Decimal(0)


@dataclass(slots=True)
class Measurement:
    """Each unit's consumption (None for an unmetered unit, or a metered one without readings when none
    are needed), whether it was estimated, and the traces of its readings."""

    values: list[Decimal | None]
    estimated: list[bool]
    meters: MeterColumns
    problems: list[Problem] = field(default_factory=list)


def holds_none(values: list[Decimal | None]) -> bool:
    """`None in values`, without comparing each Decimal to None (which asks the numbers ABCs each time)."""
    return any(map(is_, values, itertools.repeat(None)))


def measure(request: SettlementRequest) -> Measurement:
    """Every unit's consumption, with every problem found in the readings."""
    units = request.units
    readings_of = list(map(attrgetter("readings"), units))
    counts = list(map(len, readings_of))
    readings: list[Reading] = list(itertools.chain.from_iterable(readings_of))
    meters, previous, current, given, factors = _columns(readings)
    if given.count(None) == len(given):  # identity first: cheap when every reading is by its indices
        raw = list(map(sub, current, previous))
    else:
        raw = [g if g is not None else c - p for g, c, p in zip(given, current, previous, strict=True)]
    rolled_over = [False] * len(readings)
    problems: dict[int, Problem] = {}  # by the position of the reading they are about
    if max(counts, default=0) > 1:
        _duplicates(units, counts, readings, problems)
    if raw and min(raw) < 0:
        _wrapped(units, counts, readings, raw, rolled_over, problems)
    consumptions = list(map(mul, raw, factors))
    traces = MeterColumns(counts, meters, previous, current, factors, rolled_over, consumptions)
    if problems:
        traces = _without(traces, problems.keys())
    values = _unit_values(units, traces, one_each=not problems and set(counts) == {1}, exact=not problems)
    result = Measurement(values, [False] * len(units), traces)
    result.problems = [problems[position] for position in sorted(problems)]
    if request.needs_consumption:
        _fill_missing(request, result)
    return result


def _columns(readings: list[Reading]) -> list[list[Any]]:
    """The meter, previous, current, consumption and factor of each reading, a list each."""
    if not readings:
        return [[] for _ in range(5)]
    return list(map(list, zip(*readings, strict=True)))[:5]


def _unit_values(
    units: tuple[Unit, ...], traces: MeterColumns, one_each: bool, exact: bool
) -> list[Decimal | None]:
    """Each metered unit's consumption: that of its one reading, or the sum of its readings' (`one_each`:
    every unit has one reading, and its trace; `exact`: every reading has its trace)."""
    counts, consumptions = traces.counts, traces.consumptions
    if one_each:  # most settlements
        values: list[Decimal | None] = list(consumptions)
    elif exact and max(counts, default=0) <= 1:  # one reading or none each (those to estimate)
        read = iter(consumptions)
        values = [next(read) if count else None for count in counts]
    else:
        values = []
        start = 0
        for unit, count in zip(units, counts, strict=True):
            if count == 1 and len(unit.readings) == 1:
                values.append(consumptions[start])
            elif unit.readings:
                values.append(sum(consumptions[start : start + count], _ZERO))
            else:
                values.append(None)
            start += count
    if not all(map(attrgetter("metered"), units)):
        values = [value if unit.metered else None for unit, value in zip(units, values, strict=True)]
    return values


def _duplicates(
    units: tuple[Unit, ...], counts: list[int], readings: list[Reading], problems: dict[int, Problem]
) -> None:
    """A problem for each reading of a meter its unit has read already."""
    start = 0
    for unit, count in zip(units, counts, strict=True):
        seen: set[str] = set()
        for position in range(start, start + count) if count > 1 else ():
            reading = readings[position]
            if reading.meter is None:
                continue
            key = reading.meter.strip().casefold()
            if key in seen:
                problems[position] = Problem(
                    ErrorCode.DUPLICATE_READING,
                    f"unit {unit.code}: meter {reading.meter} is read twice",
                    unit=unit.code,
                    meter=reading.meter,
                    row=reading.row,
                )
            seen.add(key)
        start += count


def _wrapped(
    units: tuple[Unit, ...],
    counts: list[int],
    readings: list[Reading],
    raw: list[Decimal],
    rolled_over: list[bool],
    problems: dict[int, Problem],
) -> None:
    """Past its rollover, what a meter that went backwards counted; a problem for one without a rollover,
    or still below its previous reading past it."""
    owners = list(itertools.chain.from_iterable(map(itertools.repeat, units, counts)))
    for position, value in enumerate(raw):
        if value >= 0 or position in problems:
            continue
        reading = readings[position]
        if reading.rollover is not None:
            value = raw[position] = value + reading.rollover
            rolled_over[position] = True
            if value >= 0:
                continue
        problems[position] = _negative(owners[position], reading, value, rolled_over[position])


def _negative(unit: Unit, reading: Reading, raw: Decimal, rolled_over: bool) -> Problem:
    meter = f"meter {reading.meter}" if reading.meter else "a meter"
    detail = (
        f"current {plain(reading.current)} is below previous {plain(reading.previous)}"
        if reading.current is not None and reading.previous is not None
        else f"consumption {plain(raw)} is negative"
    )
    if rolled_over:
        detail += f" even after the rollover at {plain(reading.rollover or Decimal(0))}"
    return Problem(
        ErrorCode.NEGATIVE_CONSUMPTION,
        f"unit {unit.code}, {meter}: {detail}" + ("" if rolled_over else " and the meter has no rollover"),
        unit=unit.code,
        meter=reading.meter,
        row=reading.row,
    )


def _without(traces: MeterColumns, dropped: Collection[int]) -> MeterColumns:
    """The traces but those of the readings at the `dropped` positions, each unit's count to match."""
    owners = list(itertools.chain.from_iterable(map(itertools.repeat, itertools.count(), traces.counts)))
    kept = [position for position in range(len(owners)) if position not in dropped]
    counts = [0] * len(traces.counts)
    for position in kept:
        counts[owners[position]] += 1
    columns: list[list[Any]] = [[column[position] for position in kept] for column in traces[1:]]
    return MeterColumns(counts, *columns)


def _fill_missing(request: SettlementRequest, result: Measurement) -> None:
    metered = list(map(attrgetter("metered"), request.units))
    unread = list(map(is_, result.values, itertools.repeat(None)))
    missing = list(itertools.compress(itertools.count(), map(and_, metered, unread)))
    if not missing:
        return
    if request.estimation is None:
        for i in missing:
            code = request.units[i].code
            result.problems.append(
                Problem(
                    ErrorCode.MISSING_READING,
                    f"unit {code} is metered but has no reading, and estimation is off",
                    unit=code,
                )
            )
        return
    measured = list(map(and_, metered, map(not_, unread)))
    _estimate(request, request.estimation, metered, measured, missing, result)


def _estimate(
    request: SettlementRequest,
    rule: AreaAverageEstimation,
    metered: list[bool],
    measured: list[bool],
    missing: list[int],
    result: Measurement,
) -> None:
    units = request.units
    areas: list[Any] = list(map(attrgetter("area"), units))  # a Decimal for each metered unit, past the check
    metered_areas = list(itertools.compress(areas, metered))
    if holds_none(metered_areas):
        for i in itertools.compress(itertools.count(), metered):
            if areas[i] is None:
                result.problems.append(
                    Problem(
                        ErrorCode.INVALID_REQUEST,
                        f"unit {units[i].code} needs an area: estimation by area average is on",
                        unit=units[i].code,
                        field=f"units[{i}].area",
                    )
                )
        return
    metered_area = sum(metered_areas, _ZERO)
    estimated_area = sum((areas[i] for i in missing), _ZERO)
    if estimated_area > rule.max_area_share * metered_area:
        names = ", ".join(units[i].code for i in missing)
        share = f"{plain(estimated_area)} of {plain(metered_area)}"
        result.problems.append(
            Problem(
                ErrorCode.ESTIMATION_CAP_EXCEEDED,
                f"units without readings ({names}) cover {share} of the metered area, "
                f"above the cap of {plain(rule.max_area_share * 100)} %",
            )
        )
        return
    measured_area = sum(itertools.compress(areas, measured), _ZERO)
    if measured_area == 0:
        for i in missing:
            result.problems.append(
                Problem(
                    ErrorCode.MISSING_READING,
                    f"unit {units[i].code} has no reading and no measured unit with an area to estimate from",
                    unit=units[i].code,
                )
            )
        return
    values: list[Any] = result.values  # a Decimal for each measured unit
    measured_total = sum(itertools.compress(values, measured), _ZERO)
    per_area = Fraction(measured_total) / Fraction(measured_area)
    for i in missing:
        # per_area × area, rounded half-up to thousandths, in integers: as Fractions it took 50 µs a unit.
        numerator, denominator = areas[i].as_integer_ratio()
        whole, rest = divmod(per_area.numerator * numerator * 1000, per_area.denominator * denominator)
        result.values[i] = Decimal(whole + (2 * rest >= per_area.denominator * denominator)).scaleb(-3)
        result.estimated[i] = True
