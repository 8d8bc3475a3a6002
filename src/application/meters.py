"""Use cases: replacing a meter (the old one's final reading, the new one's initial reading, on one day)
and deleting one — never with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from prorata.application.access import fetch, require
from prorata.application.json_fields import FieldReader
from prorata.domain.access.principal import Action, Principal
from prorata.domain.community.meter_history import falls, replacement
from prorata.domain.community.model import Meter, MeterReading, ReadingSource
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, InvalidInput, Problem

_FIELDS = {"date", "final_reading", "new_serial", "initial_reading", "factor", "rollover"}
MAX_SERIAL = 100


@dataclass(frozen=True, slots=True)
class Replacement:
    replaced: Meter
    meter: Meter
    final_reading: MeterReading
    initial_reading: MeterReading


def replace_meter(
    uow: UnitOfWork, ids: IdGenerator, principal: Principal, meter_id: str, body: object
) -> Replacement:
    """Take the meter out on `date` at `final_reading` and put a new one, `new_serial`, in the same unit
    for the same service, reading `initial_reading` that day (its factor and rollover are the old one's
    unless given). Settlements then count the old meter up to its final reading and the new one from its
    initial reading; readings sent for the old meter after that day are the new one's."""
    require(principal, Action.WRITE)
    old = fetch(uow.meters, principal, meter_id, "meter")
    problems: list[Problem] = []
    fields = FieldReader(body, "", problems)
    fields.only(_FIELDS)
    day = fields.iso_date("date", required=True)
    final = fields.decimal("final_reading", required=True)
    serial = fields.text("new_serial", required=True)
    initial = fields.decimal("initial_reading", required=True)
    factor = fields.decimal("factor", minimum=Decimal(0))
    rollover = fields.decimal("rollover", positive=True) if fields.has("rollover") else old.rollover
    if serial is not None and len(serial.strip()) > MAX_SERIAL:
        fields.refuse("new_serial", f"is longer than {MAX_SERIAL} characters")
    if problems or day is None or final is None or serial is None or initial is None:
        raise InvalidInput(problems)
    taken_out, new = replacement(
        old, ids.new(), serial.strip(), day, old.factor if factor is None else factor, rollover
    )
    history = uow.readings.list(old.tenant_id, meter_id=old.id).items
    final_reading = _final_reading(ids, old, history, day, final)
    uow.meters.add(new)  # a serial the unit has already is a Conflict (409)
    uow.meters.update(taken_out)
    if final_reading not in history:
        uow.readings.add(final_reading)
    initial_reading = MeterReading(ids.new(), new.tenant_id, new.id, day, initial, ReadingSource.API)
    uow.readings.add(initial_reading)
    uow.commit()
    return Replacement(taken_out, new, final_reading, initial_reading)


def _final_reading(
    ids: IdGenerator, old: Meter, history: list[MeterReading], day: date, final: Decimal
) -> MeterReading:
    """The old meter's reading on its last day: the one stored, if it says the same; refused when the
    meter was read after that day or the final reading would make it count backwards."""
    later = [r for r in history if r.read_on > day]
    if later:
        first = min(later, key=lambda r: r.read_on)
        raise InvalidInput(
            [
                Problem(
                    ErrorCode.INVALID_REQUEST,
                    f"date: meter {old.serial} was read after {day} (on {first.read_on}); a replacement "
                    "dated after its last reading, or those readings corrected, is needed",
                    meter=old.serial,
                    field="date",
                )
            ]
        )
    stored = next((r for r in history if r.read_on == day), None)
    if stored is not None:
        if stored.value != final:
            raise InvalidInput(
                [
                    Problem(
                        ErrorCode.INVALID_REQUEST,
                        f"final_reading: meter {old.serial} read {stored.value} on {day}; correct that "
                        f"reading (PUT /v1/readings/{stored.id}) or give the same value",
                        meter=old.serial,
                        field="final_reading",
                    )
                ]
            )
        return stored
    why = falls(old, history, day, final)
    if why is not None:
        raise InvalidInput(
            [Problem(ErrorCode.NEGATIVE_CONSUMPTION, why, meter=old.serial, field="final_reading")]
        )
    return MeterReading(ids.new(), old.tenant_id, old.id, day, final, ReadingSource.API)


def delete_meter(uow: UnitOfWork, principal: Principal, meter: Meter) -> None:
    """Delete a meter that was never read. One with readings is a Conflict: its history is kept (a meter
    taken out is replaced, not deleted)."""
    require(principal, Action.DELETE)
    read = uow.readings.list(meter.tenant_id, meter_id=meter.id, limit=1).total
    if read:
        raise Conflict(
            f"meter {meter.serial} has {read} reading{'s' if read > 1 else ''}: its history is kept, so it "
            "cannot be deleted (record its replacement: POST /v1/meters/{id}/replacement)"
        )
    uow.meters.delete(meter)
    uow.commit()
