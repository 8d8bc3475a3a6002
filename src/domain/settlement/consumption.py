"""Consumption of each unit: from its meters' readings, or estimated from the measured units."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from prorata.domain.money import plain, round_half_up
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.settlement.request import AreaAverageEstimation, Reading, SettlementRequest, Unit
from prorata.domain.settlement.result import MeterTrace


class UnitConsumption(NamedTuple):
    """`value` is None for an unmetered unit, or a metered one without readings when none are needed."""

    value: Decimal | None
    estimated: bool = False
    meters: tuple[MeterTrace, ...] = ()


@dataclass(slots=True)
class Measurement:
    consumptions: list[UnitConsumption]
    problems: list[Problem] = field(default_factory=list)


def measure(request: SettlementRequest) -> Measurement:
    """Every unit's consumption, with every problem found in the readings."""
    result = Measurement(consumptions=[])
    consumptions = result.consumptions
    for unit in request.units:
        traces = _trace_readings(unit, result.problems)
        if not unit.metered:
            consumptions.append(UnitConsumption(None, False, traces))
        elif len(traces) == 1 and len(unit.readings) == 1:  # the common case: nothing to add up
            consumptions.append(UnitConsumption(traces[0].consumption, False, traces))
        elif unit.readings:
            consumptions.append(
                UnitConsumption(sum((t.consumption for t in traces), Decimal(0)), False, traces)
            )
        else:
            consumptions.append(UnitConsumption(None))
    if request.needs_consumption:
        _fill_missing(request, result)
    return result


def _trace_readings(unit: Unit, problems: list[Problem]) -> tuple[MeterTrace, ...]:
    if len(unit.readings) == 1:  # the common case: nothing to compare with
        trace = _trace(unit, unit.readings[0], problems)
        return () if trace is None else (trace,)
    traces: list[MeterTrace] = []
    seen: set[str] = set()
    for reading in unit.readings:
        if reading.meter is not None:
            key = reading.meter.strip().casefold()
            if key in seen:
                problems.append(
                    Problem(
                        ErrorCode.DUPLICATE_READING,
                        f"unit {unit.code}: meter {reading.meter} is read twice",
                        unit=unit.code,
                        meter=reading.meter,
                        row=reading.row,
                    )
                )
                continue
            seen.add(key)
        trace = _trace(unit, reading, problems)
        if trace is not None:
            traces.append(trace)
    return tuple(traces)


def _trace(unit: Unit, reading: Reading, problems: list[Problem]) -> MeterTrace | None:
    rolled_over = False
    if reading.consumption is not None:
        raw = reading.consumption
    else:
        assert reading.previous is not None
        assert reading.current is not None
        raw = reading.current - reading.previous
        if raw < 0 and reading.rollover is not None:
            raw += reading.rollover
            rolled_over = True
    if raw >= 0:
        return MeterTrace(
            reading.meter,
            reading.previous,
            reading.current,
            reading.factor,
            rolled_over,
            raw * reading.factor,
        )
    meter = f"meter {reading.meter}" if reading.meter else "a meter"
    detail = (
        f"current {plain(reading.current)} is below previous {plain(reading.previous)}"
        if reading.current is not None and reading.previous is not None
        else f"consumption {plain(raw)} is negative"
    )
    if rolled_over:
        detail += f" even after the rollover at {plain(reading.rollover or Decimal(0))}"
    problems.append(
        Problem(
            ErrorCode.NEGATIVE_CONSUMPTION,
            f"unit {unit.code}, {meter}: {detail}"
            + ("" if rolled_over else " and the meter has no rollover"),
            unit=unit.code,
            meter=reading.meter,
            row=reading.row,
        )
    )
    return None


def _fill_missing(request: SettlementRequest, result: Measurement) -> None:
    missing = [
        i
        for i, (unit, c) in enumerate(zip(request.units, result.consumptions, strict=True))
        if unit.metered and c.value is None
    ]
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
    _estimate(request, request.estimation, missing, result)


def _estimate(
    request: SettlementRequest, rule: AreaAverageEstimation, missing: list[int], result: Measurement
) -> None:
    units = request.units
    metered = [i for i, unit in enumerate(units) if unit.metered]
    areas = {i: units[i].area for i in metered}
    lacking_area = [i for i, area in areas.items() if area is None]
    for i in lacking_area:
        result.problems.append(
            Problem(
                ErrorCode.INVALID_REQUEST,
                f"unit {units[i].code} needs an area: estimation by area average is on",
                unit=units[i].code,
                field=f"units[{i}].area",
            )
        )
    if lacking_area:
        return
    known = {i: area for i, area in areas.items() if area is not None}
    metered_area = sum(known.values(), Decimal(0))
    estimated_area = sum((known[i] for i in missing), Decimal(0))
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
    unread = set(missing)
    measured = [i for i in metered if i not in unread]
    measured_area = sum((known[i] for i in measured), Decimal(0))
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
    measured_total = sum((result.consumptions[i].value or Decimal(0) for i in measured), Decimal(0))
    per_area = Fraction(measured_total) / Fraction(measured_area)
    for i in missing:
        value = round_half_up(per_area * Fraction(known[i]), 3)
        result.consumptions[i] = UnitConsumption(value, estimated=True)
