"""Use cases: what a resident reads with her own key — her record, the units she holds or held, and the
readings of their meters within the times she held them. Her receipts are `readable_receipts`'."""

from __future__ import annotations

from dataclasses import dataclass

from prorata.application.access import fetch
from prorata.application.errors import Forbidden
from prorata.domain.access.principal import Principal, Role
from prorata.domain.community.holdings import held_on
from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, Occupancy, Resident
from prorata.domain.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class HeldUnit:
    occupancy: Occupancy
    unit: CommunityUnit
    community: Community


@dataclass(frozen=True, slots=True)
class MeterHistory:
    """A meter of a unit she holds or held, with its readings of her times there, oldest first."""

    meter: Meter
    unit: CommunityUnit
    readings: list[MeterReading]


def me(uow: UnitOfWork, caller: Principal) -> Resident:
    """The resident the caller's key names; Forbidden for any other kind of key."""
    if caller.role is not Role.RESIDENT:
        raise Forbidden(
            f"/v1/me is a resident's own and answers resident keys only; a {caller.role.value} key reads "
            "residents at /v1/residents"
        )
    assert caller.resident_id is not None
    return fetch(uow.residents, caller, caller.resident_id, "resident")


def held_units(uow: UnitOfWork, resident: Resident) -> list[HeldUnit]:
    """Her occupancies with their units and communities, as she holds or held them."""
    ids = sorted({o.unit_id for o in resident.occupancies})
    units = {u.id: u for u in uow.units.list(resident.tenant_id, id=ids).items} if ids else {}
    communities = sorted({u.community_id for u in units.values()})
    found = uow.communities.list(resident.tenant_id, id=communities).items if communities else []
    by_id = {c.id: c for c in found}
    return [
        HeldUnit(o, units[o.unit_id], by_id[units[o.unit_id].community_id])
        for o in resident.occupancies
        if o.unit_id in units
    ]


def my_readings(uow: UnitOfWork, caller: Principal) -> list[MeterHistory]:
    """Every meter of the units she holds or held, with the readings dated within one of her times
    there: a reading of the previous or the next holder's time is not hers to see."""
    resident = me(uow, caller)
    ids = sorted({o.unit_id for o in resident.occupancies})
    if not ids:
        return []
    units = {u.id: u for u in uow.units.list(resident.tenant_id, id=ids).items}
    meters = uow.meters.list(resident.tenant_id, unit_id=ids).items
    readings: dict[str, list[MeterReading]] = {m.id: [] for m in meters}
    if meters:
        for reading in uow.readings.list(resident.tenant_id, meter_id=list(readings)).items:
            readings[reading.meter_id].append(reading)
    histories = [
        MeterHistory(
            meter,
            units[meter.unit_id],
            sorted(
                (r for r in readings[meter.id] if held_on(resident.occupancies, meter.unit_id, r.read_on)),
                key=lambda r: r.read_on,
            ),
        )
        for meter in meters
        if meter.unit_id in units
    ]
    return sorted(histories, key=lambda h: (h.unit.position, h.unit.code, h.meter.serial))
