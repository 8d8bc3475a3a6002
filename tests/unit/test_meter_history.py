"""The rules of a meter's history: what counts backwards, who reads after a replacement, what a correction
keeps, which settlements a reading may have counted; and rows that give only a current reading."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata.domain.community.meter_history import (
    AlreadyReplaced,
    corrected,
    counted_in,
    falls,
    reader_on,
    reading_before,
    replacement,
)
from prorata.domain.community.model import Meter, MeterReading
from prorata.domain.problems import ErrorCode, InvalidInput
from prorata.domain.readings.extract import extract_readings
from prorata.domain.readings.sheet import Sheet
from prorata.domain.settlement.request import Period, Service

METER = Meter("m1", "t", "u", "HC-1", Service.HEATING)
NOW = datetime(2026, 7, 1, tzinfo=UTC)


def reading(day: str, value: str, id: str | None = None) -> MeterReading:
    return MeterReading(id or day, "t", "m1", date.fromisoformat(day), Decimal(value))


HISTORY = [reading("2026-01-01", "951.7"), reading("2026-03-31", "990")]


def test_a_value_below_the_reading_before_or_above_the_reading_after_counts_backwards() -> None:
    assert falls(METER, HISTORY, date(2026, 6, 30), Decimal("5")) is not None
    assert "951.7" in (falls(METER, HISTORY, date(2026, 2, 1), Decimal("900")) or "")
    assert "990" in (falls(METER, HISTORY, date(2026, 2, 1), Decimal("995")) or "")
    assert falls(METER, HISTORY, date(2026, 2, 1), Decimal("951.7")) is None
    assert falls(METER, HISTORY, date(2026, 6, 30), Decimal("990")) is None
    assert falls(METER, [], date(2026, 6, 30), Decimal("0")) is None


def test_a_meter_that_rolls_over_may_read_lower() -> None:
    wrapping = Meter("m1", "t", "u", "HC-1", Service.HEATING, rollover=Decimal(1000))
    assert falls(wrapping, HISTORY, date(2026, 6, 30), Decimal("5")) is None


@given(st.lists(st.decimals(0, 10**6, places=3), min_size=1, max_size=8, unique=True), st.data())
def test_a_value_between_its_neighbours_never_counts_backwards(
    values: list[Decimal], data: st.DataObject
) -> None:
    ordered = sorted(values)
    history = [reading(f"2026-01-{2 * i + 2:02d}", str(v)) for i, v in enumerate(ordered)]
    position = data.draw(st.integers(0, len(ordered)))
    low = ordered[position - 1] if position else Decimal(0)
    high = ordered[position] if position < len(ordered) else low + 1000
    value = data.draw(st.decimals(low, high, places=3))
    assert falls(METER, history, date(2026, 1, 2 * position + 1), value) is None


def test_after_its_replacement_a_meter_is_read_by_its_successor() -> None:
    old, new = replacement(METER, "m2", "HC-2", date(2026, 2, 15), Decimal(1), None)
    newer = Meter("m3", "t", "u", "HC-3", Service.HEATING)
    new, newer = replacement(new, "m3", "HC-3", date(2026, 5, 1), Decimal(1), None)
    meters = {m.id: m for m in (old, new, newer)}
    assert (new.unit_id, new.service) == (METER.unit_id, METER.service)
    assert reader_on(old, meters, date(2026, 2, 15)).serial == "HC-1"  # its final reading's day
    assert reader_on(old, meters, date(2026, 2, 16)).serial == "HC-2"
    assert reader_on(old, meters, date(2026, 6, 1)).serial == "HC-3"
    with pytest.raises(AlreadyReplaced):
        replacement(old, "m4", "HC-4", date(2026, 3, 1), Decimal(1), None)


def test_a_correction_keeps_every_value_the_reading_held_oldest_first() -> None:
    once = corrected(HISTORY[1], Decimal("980"), "digit misread", NOW, "manager")
    twice = corrected(once, Decimal("985"), "read again", NOW, "import 7")
    assert twice.value == Decimal("985")
    assert [(c.value, c.reason, c.by) for c in twice.corrections] == [
        (Decimal("990"), "digit misread", "manager"),
        (Decimal("980"), "read again", "import 7"),
    ]


def test_a_settlement_may_have_counted_the_readings_of_its_period_and_the_one_it_started_from() -> None:
    history = [reading("2025-12-31", "1"), reading("2025-06-30", "0.5"), *HISTORY]
    quarter = Period(date(2026, 1, 2), date(2026, 3, 31))
    assert [counted_in(r, history, quarter) for r in history] == [False, False, True, True]
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    assert [counted_in(r, history, year) for r in history] == [True, False, True, True]
    assert reading_before(history, date(2026, 1, 1)) == history[0]


def test_an_import_keeps_rows_that_give_only_a_current_reading_for_the_history_to_complete() -> None:
    sheet = Sheet(
        "Lecturas", (("Piso", "Contador", "Lectura actual", "Fecha"), ("1A", "HC-1", "190", "31/12/2026"))
    )
    found = extract_readings(sheet, current_only=True)
    assert (found.readings, found.problems) == ([], [])
    [row] = found.current_only
    assert (row.unit, row.meter, row.current, row.read_on, row.row) == (
        "1A",
        "HC-1",
        Decimal(190),
        date(2026, 12, 31),
        2,
    )
    with pytest.raises(InvalidInput) as refused:
        extract_readings(sheet)  # a simulation has no history to count from
    assert refused.value.codes == {ErrorCode.MISSING_COLUMN}
