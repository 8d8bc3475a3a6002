"""Use case: correcting a stored reading. It keeps what it said before (its audit trail), and a published
settlement that counted it is flagged `corrections_pending`: its receipts are never changed silently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from prorata.application.access import fetch, require
from prorata.application.errors import NotFound
from prorata.application.json_fields import FieldReader
from prorata.domain.access.principal import Action, Principal
from prorata.domain.community.meter_history import corrected, counted_in, falls
from prorata.domain.community.model import Meter, MeterReading
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.settlement.stored import SettlementStatus

MAX_REASON = 500


def correct_reading(
    uow: UnitOfWork, clock: Clock, principal: Principal, reading_id: str, body: object
) -> MeterReading:
    """Give the reading another value, for a reason (`{"value": "…", "reason": "…"}`); the value it
    held goes to its corrections. The same value again changes nothing. A value that would make the meter
    count backwards is `negative_consumption`."""
    require(principal, Action.WRITE)
    reading = fetch(uow.readings, principal, reading_id, "reading")
    problems: list[Problem] = []
    fields = FieldReader(body, "", problems)
    fields.only({"value", "reason"})
    value = fields.decimal("value", required=True)
    reason = fields.text("reason", required=True)
    if reason is not None and len(reason) > MAX_REASON:
        fields.refuse("reason", f"is longer than {MAX_REASON} characters")
    if problems or value is None or reason is None:
        raise InvalidInput(problems)
    if value == reading.value:
        return reading
    meter = uow.meters.get(reading.tenant_id, reading.meter_id)
    if meter is None:
        raise NotFound(f"no meter {reading.meter_id}")
    others = [r for r in uow.readings.list(reading.tenant_id, meter_id=meter.id).items if r.id != reading.id]
    why = falls(meter, others, reading.read_on, value)
    if why is not None:
        raise InvalidInput([Problem(ErrorCode.NEGATIVE_CONSUMPTION, why, meter=meter.serial, field="value")])
    changed = corrected(reading, value, reason.strip(), clock.now(), principal.role.value)
    uow.readings.update(changed)
    unit = uow.units.get(meter.tenant_id, meter.unit_id)
    if unit is not None:
        flag_counting_settlements(
            uow, meter.tenant_id, unit.community_id, [(meter, changed)], {meter.id: [*others, changed]}
        )
    uow.commit()
    return changed


def flag_counting_settlements(
    uow: UnitOfWork,
    tenant_id: str,
    community_id: str,
    changed: Sequence[tuple[Meter, MeterReading]],
    histories: Mapping[str, Sequence[MeterReading]],
) -> None:
    """Flag `corrections_pending` on the community's published settlements that counted a changed
    reading: of its meter's service, over a period the reading lay in or started from. `histories` are
    the meters' readings, the changed ones among them."""
    if not changed:
        return
    published = uow.settlements.list(
        tenant_id, community_id=community_id, status=SettlementStatus.PUBLISHED.value
    ).items
    for settlement in published:
        if settlement.corrections_pending:
            continue
        if any(
            meter.service is settlement.service
            and counted_in(reading, histories[meter.id], settlement.period)
            for meter, reading in changed
        ):
            uow.settlements.update(replace(settlement, corrections_pending=True))
