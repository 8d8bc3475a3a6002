"""Use case: the demo tenant of `prorata run --demo`, made on the first start and found again on every
later one (nothing is made twice): its community, units and residents; last quarter's heating bill with
its readings file imported and published — receipts issued, their notifications recorded — before the
API serves its first request; and this quarter's bill open, waiting for the sample readings file."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prorata.application import demo_records as records
from prorata.application.access import authenticate, create_key, create_tenant
from prorata.application.event_handlers import handlers
from prorata.application.outlets import Outlets
from prorata.application.process_import import process_import
from prorata.application.receive_file import receive_file
from prorata.application.relay import dispatch_all
from prorata.application.residents import keep_resident
from prorata.application.services import Services
from prorata.application.settlements import create_settlement, publish
from prorata.domain.access.model import Tenant
from prorata.domain.access.principal import Principal, Role
from prorata.domain.community.model import Community, CommunityUnit, Occupancy, Resident, next_position
from prorata.domain.imports.model import ENDED, ImportJob, ImportSource, ImportStatus
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.settlement.stored import Settlement, SettlementStatus

KEY_ROLES = ("manager", "support", "resident")
IMPORT_WAIT_SECONDS = 60  # a worker that claimed the demo's import first: how long to wait for it


@dataclass(frozen=True, slots=True)
class Demo:
    """What the demo holds, for the first steps printed."""

    tenant_id: str
    community: Community
    resident: Resident  # the one whose resident key is handed out (the first unit's owner)
    published: Settlement  # last quarter's
    job: ImportJob  # the import of last quarter's readings file
    receipt_ids: list[str]  # last quarter's receipts
    notifications: int
    waiting: Settlement  # this quarter's


def seed_demo(
    unit_of_work: Callable[[], UnitOfWork], services: Services, outlets: Outlets, readings: Path
) -> Demo:
    """The demo tenant, made or found; last quarter's `readings` file imported and published."""
    with unit_of_work() as uow:
        tenant = _tenant(uow, services)
        community = _community(uow, services, tenant.id)
        units = _units(uow, services, community)
        residents = _residents(uow, services, tenant.id, units)
        uow.commit()
    manager = Principal(Role.MANAGER, tenant.id)
    with unit_of_work() as uow:
        last = _settlement(uow, services, manager, community.id, records.LAST_QUARTER)
    job = _imported(unit_of_work, services, manager, community.id, readings)
    with unit_of_work() as uow:
        last = _settlement(uow, services, manager, community.id, records.LAST_QUARTER)
        if last.status is SettlementStatus.DRAFT and job.status is ImportStatus.SETTLED:
            last, _ = publish(uow, services, manager, last.id)
    with unit_of_work() as uow:  # only now: the file's readings would go to either open draft
        this = _settlement(uow, services, manager, community.id, records.THIS_QUARTER)
    _dispatch_pending(unit_of_work, services, outlets, tenant.id)
    with unit_of_work() as uow:
        receipts = uow.receipts.list(tenant.id, settlement_id=last.id).items
        told = uow.notifications.list(tenant.id, limit=1).total
        job = uow.imports.get(tenant.id, job.id) or job
    return Demo(tenant.id, community, residents[0], last, job, [r.id for r in receipts], told, this)


def demo_keys(
    unit_of_work: Callable[[], UnitOfWork], services: Services, demo: Demo, known: Mapping[str, str]
) -> dict[str, str]:
    """A manager, a support and a resident key: the ones `known` holds while they still work (not
    revoked, the same tenant and resident), new ones otherwise."""
    wanted = {
        "manager": Principal(Role.MANAGER, demo.tenant_id),
        "support": Principal(Role.SUPPORT),
        "resident": Principal(Role.RESIDENT, demo.tenant_id, demo.resident.id),
    }
    keys = {}
    with unit_of_work() as uow:
        for role, principal in wanted.items():
            key = known.get(role)
            if not key or authenticate(uow, key) != principal:
                key = create_key(
                    uow,
                    services.ids,
                    services.clock,
                    principal.role,
                    principal.tenant_id,
                    principal.resident_id,
                )
            keys[role] = key
    return keys


def _tenant(uow: UnitOfWork, services: Services) -> Tenant:
    found = [t for t in uow.tenants.list(None).items if t.name == records.TENANT]
    return found[0] if found else create_tenant(uow, services.ids, records.TENANT)


def _community(uow: UnitOfWork, services: Services, tenant_id: str) -> Community:
    found = uow.communities.list(tenant_id, code=records.COMMUNITY["code"]).items
    if found:
        return found[0]
    community = Community(id=services.ids.new(), tenant_id=tenant_id, **records.COMMUNITY)
    uow.communities.add(community)
    return community


def _units(uow: UnitOfWork, services: Services, community: Community) -> dict[str, CommunityUnit]:
    units = {u.code: u for u in uow.units.list(community.tenant_id, community_id=community.id).items}
    for code, coefficient, area in records.UNITS:
        if code not in units:
            keys = records.unit_keys(coefficient, area)
            units[code] = CommunityUnit(
                services.ids.new(), community.tenant_id, community.id, code, *keys,
                position=next_position(units.values()),
            )  # fmt: skip
            uow.units.add(units[code])
    return units


def _residents(
    uow: UnitOfWork, services: Services, tenant_id: str, units: dict[str, CommunityUnit]
) -> list[Resident]:
    today = services.clock.now().date()
    kept = []
    for person in records.RESIDENTS:
        found = uow.residents.list(tenant_id, external_id=person.external_id).items
        if found:
            kept.append(found[0])
            continue
        resident = Resident(
            id=services.ids.new(),
            tenant_id=tenant_id,
            name=person.name,
            language=person.language,
            external_id=person.external_id,
            iban=person.iban,
            mandate_id=person.mandate_id if person.iban else None,
            mandate_signed_on=records.MANDATES_SIGNED_ON if person.iban else None,
            occupancies=(Occupancy(units[person.unit].id, person.role, records.HELD_SINCE),),
        )
        kept.append(keep_resident(uow, today, resident, None))
    return kept


def _settlement(
    uow: UnitOfWork, services: Services, manager: Principal, community_id: str, terms: dict[str, Any]
) -> Settlement:
    """The community's settlement of the terms' service and period: as it stands (a correction made by
    reprocessing comes after it), or a new draft."""
    period = terms["period"]
    found = [
        s
        for s in uow.settlements.list(manager.tenant_scope, community_id=community_id).items
        if s.service.value == terms["service"]
        and (s.period.start.isoformat(), s.period.end.isoformat()) == (period["from"], period["to"])
    ]
    if found:
        return found[0]
    return create_settlement(uow, services.ids, manager, community_id, dict(terms))


def _imported(
    unit_of_work: Callable[[], UnitOfWork],
    services: Services,
    manager: Principal,
    community_id: str,
    readings: Path,
) -> ImportJob:
    """The file's import, processed here and now the first time (the same bytes again are the same
    import)."""
    with unit_of_work() as uow:
        job, _ = receive_file(uow, services, manager, readings, readings.name, ImportSource.API, community_id)
    if job.status is ImportStatus.RECEIVED:
        with unit_of_work() as uow:
            process_import(uow, services, job.id)
    # A worker already running may have claimed it first: its outcome is the one to wait for.
    deadline = time.monotonic() + IMPORT_WAIT_SECONDS
    while True:
        with unit_of_work() as uow:
            job = uow.imports.get(job.tenant_id, job.id) or job
        if job.status in ENDED or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def _dispatch_pending(
    unit_of_work: Callable[[], UnitOfWork], services: Services, outlets: Outlets, tenant_id: str
) -> None:
    """Hand the demo's events to their handlers now — the serving process's workers start afresh, and
    the sweeper would send them only minutes later — so the receipts' notifications are there at once."""
    for _ in range(3):  # a handler may emit events of its own
        with unit_of_work() as uow:
            now = services.clock.now()
            pending = [id for id in uow.outbox.due(now) if _of_tenant(uow, id, tenant_id)]
        if not pending:
            return
        dispatch_all(unit_of_work, services.clock, handlers(services, outlets), pending)


def _of_tenant(uow: UnitOfWork, event_id: str, tenant_id: str) -> bool:
    stored = uow.outbox.get(event_id)
    return stored is not None and stored.event.tenant_id == tenant_id
