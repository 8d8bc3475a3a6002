"""A meter's readings over time: what it read before and after a day, whether a value would make it count
backwards, which meter reads after a replacement, corrections and what a settlement counted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from prorata.domain.community.model import Meter, MeterReading, ReadingCorrection
from prorata.domain.settlement.request import Period


class AlreadyReplaced(Exception):
    code = "conflict"

    def __init__(self, meter: Meter) -> None:
        super().__init__(f"meter {meter.serial} was already replaced on {meter.replaced_on}")


def reading_before(history: Iterable[MeterReading], day: date) -> MeterReading | None:
    """The meter's last reading before `day` (what a reading on `day` counts from)."""
    earlier = [r for r in history if r.read_on < day]
    return max(earlier, key=lambda r: r.read_on) if earlier else None


def reading_after(history: Iterable[MeterReading], day: date) -> MeterReading | None:
    later = [r for r in history if r.read_on > day]
    return min(later, key=lambda r: r.read_on) if later else None


def falls(meter: Meter, history: Iterable[MeterReading], day: date, value: Decimal) -> str | None:
    """Why `value`, read on `day`, would make the meter count backwards — below its reading before, or
    above its reading after — or None when it does not. A meter with a rollover may read lower: it
    wrapped. `history` is the meter's other readings (not the one being read or corrected)."""
    if meter.rollover is not None:
        return None
    readings = list(history)
    before = reading_before(readings, day)
    if before is not None and value < before.value:
        return (
            f"meter {meter.serial} read {before.value} on {before.read_on}: {value} on {day} would count "
            "backwards (it has no rollover; if it was replaced, record the replacement)"
        )
    after = reading_after(readings, day)
    if after is not None and value > after.value:
        return (
            f"meter {meter.serial} read {after.value} on {after.read_on}: {value} on {day} would make that "
            "reading count backwards"
        )
    return None


def reader_on(meter: Meter, meters: Mapping[str, Meter], day: date) -> Meter:
    """The meter that reads on `day` in `meter`'s place: itself, or after its replacement its successor
    (and theirs, if that one was replaced too). A replaced meter's last day is its final reading's."""
    seen = {meter.id}
    while meter.replaced_on is not None and meter.replaced_by is not None and day > meter.replaced_on:
        successor = meters.get(meter.replaced_by)
        if successor is None or successor.id in seen:
            break
        seen.add(successor.id)
        meter = successor
    return meter


def corrected(reading: MeterReading, value: Decimal, reason: str, at: datetime, by: str) -> MeterReading:
    """The reading with its new value; what it said before goes to its audit trail."""
    trail = ReadingCorrection(reading.value, reason, at, by)
    return replace(reading, value=value, corrections=(*reading.corrections, trail))


def counted_in(reading: MeterReading, history: Iterable[MeterReading], period: Period) -> bool:
    """Whether a settlement of `period` may have counted the reading: one read within the period, or the
    meter's last reading before the period starts (what the period counts from)."""
    if period.start <= reading.read_on <= period.end:
        return True
    before = reading_before(history, period.start)
    return before is not None and before.id == reading.id


def replacement(
    old: Meter, new_id: str, serial: str, day: date, factor: Decimal, rollover: Decimal | None
) -> tuple[Meter, Meter]:
    """The old meter, taken out on `day`, and the new one of the same unit and service that reads from
    then on. Raises AlreadyReplaced for a meter replaced before."""
    if old.replaced_on is not None:
        raise AlreadyReplaced(old)
    new = Meter(new_id, old.tenant_id, old.unit_id, serial, old.service, factor, rollover)
    return replace(old, replaced_on=day, replaced_by=new_id), new
