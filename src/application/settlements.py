"""Use cases: settlements kept for a community — create, preview, publish (receipts issued atomically)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from prorata.application.access import fetch, require
from prorata.application.contract_request import parse_reading, parse_request
from prorata.application.contract_result import result_json
from prorata.application.errors import NotFound
from prorata.application.json_fields import FieldReader
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal
from prorata.domain.community.model import Community, CommunityUnit, Meter
from prorata.domain.community.readings_for_period import settlement_units
from prorata.domain.imports.model import ImportStatus
from prorata.domain.money import to_cents
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import InvalidInput, Problem
from prorata.domain.readings.extract import UnitReading
from prorata.domain.readings.merge import merge_readings
from prorata.domain.receipts.lifecycle import UNPAID
from prorata.domain.receipts.receipt import due_date, issue_event, superseded, told
from prorata.domain.settlement.engine import prorate
from prorata.domain.settlement.request import Reading, SettlementRequest
from prorata.domain.settlement.result import SettlementResult
from prorata.domain.settlement.stored import IssuedReceipt, Settlement, SettlementStatus, receipt_number

_READING_FIELDS = ("meter", "previous", "current", "consumption", "factor", "rollover", "date")


def create_settlement(
    uow: UnitOfWork, ids: IdGenerator, principal: Principal, community_id: str, terms: dict[str, Any]
) -> Settlement:
    """A draft settlement of the community's costs; `terms` follow the contract (without units) and
    must name the service and period."""
    require(principal, Action.WRITE)
    community = fetch(uow.communities, principal, community_id, "community")
    problems: list[Problem] = []
    reader = FieldReader(terms, "", problems)
    for name in ("service", "period"):
        if not reader.has(name):
            reader.refuse(name, "is required for a settlement kept for a community")
    try:
        request = parse_request(terms, units=())
    except InvalidInput as error:
        problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    assert request.period is not None
    settlement = Settlement(
        ids.new(), community.tenant_id, community.id, request.service, request.period, terms
    )
    uow.settlements.add(settlement)
    uow.emit(settlement.drafted())
    uow.commit()
    return settlement


@dataclass(frozen=True, slots=True)
class Computation:
    settlement: Settlement
    community: Community
    units: list[CommunityUnit]
    result: SettlementResult


def compute(uow: UnitOfWork, principal: Principal, settlement_id: str, body: object = None) -> Computation:
    """The settlement prorated over the community's units, from its stored readings — or, when the body
    holds `readings` (contract readings, each with its `unit` code), from those alone."""
    require(principal, Action.READ)
    return prorated(uow, fetch(uow.settlements, principal, settlement_id, "settlement"), body)


def prorated(uow: UnitOfWork, settlement: Settlement, body: object = None) -> Computation:
    """The settlement prorated, for whoever already holds it (a caller checked, or the import worker
    acting for the settlement's own tenant)."""
    community = uow.communities.get(settlement.tenant_id, settlement.community_id)
    if community is None:
        raise NotFound(f"no community {settlement.community_id}")
    units = uow.units.list(settlement.tenant_id, community_id=community.id).items
    units.sort(key=lambda u: (u.position, u.code))  # the community's unit order (see CommunityUnit)
    given = _body_readings(body)
    if given is None and settlement.readings:
        given = _stored_readings(settlement.readings)
    # The community's meters of this service, chosen in SQL by its units (a subquery, not a list of ids).
    # Not the tenant's, filtered here: an import settling a portfolio's 400 communities read every meter
    # of the tenant once per community (100 million rows for a 500,000-meter file).
    meters = uow.meters.list(
        settlement.tenant_id, community_id=community.id, service=settlement.service.value
    ).items
    if given is None:
        readings = uow.readings.list(settlement.tenant_id, meter_id=[m.id for m in meters]).items
        request = _request(
            settlement, settlement_units(units, meters, readings, settlement.service, settlement.period)
        )
        return Computation(settlement, community, units, prorate(request))
    return prorated_from(settlement, community, units, meters, given)


def prorated_from(
    settlement: Settlement,
    community: Community,
    units: list[CommunityUnit],
    meters: Iterable[Meter],
    given: list[UnitReading],
) -> Computation:
    """The settlement prorated from `given` readings over the community's units (in its unit order) and
    meters — what an import holds already once it has written them: it reads none of them back."""
    unread = settlement_units(units, meters, [], settlement.service, settlement.period)
    request = _metered_where_read(merge_readings(_request(settlement, unread), given))
    return Computation(settlement, community, units, prorate(request))


def publish(
    uow: UnitOfWork,
    services: Services,
    principal: Principal,
    settlement_id: str,
    body: object = None,
) -> tuple[Settlement, list[IssuedReceipt]]:
    """Publish the settlement and issue one receipt per unit, all in one transaction. A second publish,
    even a concurrent one, is refused (AlreadyPublished, or Conflict from the database's constraints)."""
    require(principal, Action.PUBLISH)
    computed = compute(uow, principal, settlement_id, body)
    now = services.clock.now()
    settlement = computed.settlement.publish(
        uow.next_number(computed.settlement.tenant_id, "settlement"), now
    )
    uow.settlements.update(settlement)
    assert settlement.number is not None
    details = result_json(computed.result)["receipts"]
    issued_on, due_on = now.date(), due_date(now.date(), computed.community.due_days)
    receipts = [
        IssuedReceipt(
            id=services.ids.new(),
            tenant_id=settlement.tenant_id,
            settlement_id=settlement.id,
            unit_id=unit.id,
            number=receipt_number(computed.community.code, settlement.number, position),
            total_cents=to_cents(receipt.total),
            currency=computed.result.currency,
            detail=details[position],
            issued_on=issued_on,
            due_on=due_on,
            status_on=issued_on,
        )
        for position, (unit, receipt) in enumerate(zip(computed.units, computed.result.receipts, strict=True))
    ]
    uow.receipts.add_all(receipts)
    history = [issue_event(r, services.ids.new(), principal.role.value, now) for r in receipts]
    if settlement.supersedes is not None:
        for old in uow.receipts.list(settlement.tenant_id, settlement_id=settlement.supersedes).items:
            if old.status in UNPAID:  # a paid receipt stays paid; see docs/receipts.md
                replaced, entry = superseded(old, services.ids.new(), now)
                uow.receipts.update(replaced)
                history.append(entry)
    uow.receipt_events.add_all(history)
    for entry in history:
        uow.emit(told(entry))
    _mark_import_published(uow, settlement)
    uow.emit(settlement.published())
    uow.commit()
    return settlement, receipts


def _mark_import_published(uow: UnitOfWork, settlement: Settlement) -> None:
    """The file that produced the settlement is `published` once all it produced is."""
    if settlement.import_id is None:
        return
    job = uow.imports.get(settlement.tenant_id, settlement.import_id)
    siblings = uow.settlements.list(settlement.tenant_id, import_id=settlement.import_id).items
    others_published = all(s.status is SettlementStatus.PUBLISHED for s in siblings if s.id != settlement.id)
    if job is not None and job.status is ImportStatus.SETTLED and others_published:
        uow.import_jobs.swap(job, replace(job, status=ImportStatus.PUBLISHED))  # unless it moved on meanwhile


def _request(settlement: Settlement, units: tuple[Any, ...]) -> SettlementRequest:
    return parse_request(settlement.terms, units=units)


def _metered_where_read(request: SettlementRequest) -> SettlementRequest:
    """A unit the body reads is metered, whether or not its meters are registered."""
    return replace(
        request, units=tuple(u._replace(metered=u.metered or bool(u.readings)) for u in request.units)
    )


def _body_readings(body: object) -> list[UnitReading] | None:
    if body is None or body == {}:
        return None
    problems: list[Problem] = []
    reader = FieldReader(body, "", problems)
    reader.only({"readings"})
    found: list[UnitReading] = []
    for index, item in enumerate(reader.items("readings", required=True)):
        path = f"readings[{index}]"
        entry = FieldReader(item, path, problems)
        entry.only({"unit", *_READING_FIELDS})
        code = entry.text("unit", required=True)
        fields = {k: v for k, v in entry.data.items() if k != "unit"}
        reading = parse_reading(fields, path, problems, code)
        if code is not None and reading is not None:
            found.append(UnitReading(code, reading))
    if problems:
        raise InvalidInput(problems)
    if not found:
        reader.refuse("readings", "must hold at least one reading")
        raise InvalidInput(problems)
    return found


def _stored_readings(stored: list[dict[str, Any]]) -> list[UnitReading]:
    """Readings a file brought, kept on the settlement as validated contract readings: read back as they
    were written, without checking every field again."""

    def number(item: dict[str, Any], name: str) -> Decimal | None:
        return Decimal(item[name]) if name in item else None

    return [
        UnitReading(
            item["unit"],
            Reading(
                meter=item.get("meter"),
                previous=number(item, "previous"),
                current=number(item, "current"),
                consumption=number(item, "consumption"),
                factor=Decimal(1) if "factor" not in item else Decimal(item["factor"]),
                rollover=number(item, "rollover"),
            ),
        )
        for item in stored
    ]
