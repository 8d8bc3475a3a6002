"""The facts a receipt shows besides its own row — settlement, community, unit, payer; for its document
also history, pools, readings and comparison figures — gathered in a fixed number of queries per kind,
whatever the number of receipts (a page of 500, or the 1,000 receipts a publish issues)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from prorata.application.errors import NotFound
from prorata.domain.ports.repository import Repository
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.facts import (
    DocumentFacts,
    ReceiptFacts,
    average_per_area,
    consumption_of,
    measured,
    payer_of,
    pool_totals,
    year_before,
)
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent
from prorata.domain.settlement.stored import IssuedReceipt, Settlement, SettlementStatus

T = TypeVar("T")


class _Record(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Record)
# Up to this many ids go in one IN list; more units than that are asked for by their communities (a
# publish's receipts are all of one community), more of anything else in chunks of this size.
IN_LIST = 500


def receipt_facts(uow: UnitOfWork, receipts: Sequence[IssuedReceipt]) -> list[ReceiptFacts]:
    """Each receipt's facts, in the receipts' order: four look-ups (settlements, communities, units,
    residents), however many receipts."""
    if not receipts:
        return []
    tenant = _one_tenant(receipts)
    settlements = _by_id(listed(uow.settlements, tenant, "id", {r.settlement_id for r in receipts}))
    community_ids = sorted({s.community_id for s in settlements.values()})
    communities = _by_id(listed(uow.communities, tenant, "id", community_ids))
    unit_ids = sorted({r.unit_id for r in receipts})
    by = ("id", unit_ids) if len(unit_ids) <= IN_LIST else ("community_id", community_ids)
    units = _by_id(listed(uow.units, tenant, *by))
    held = ("unit_id", unit_ids) if len(unit_ids) <= IN_LIST else ("community_id", community_ids)
    residents = listed(uow.residents, tenant, *held)
    holders = defaultdict(list)
    for resident in residents:
        for unit_id in {o.unit_id for o in resident.occupancies}:
            holders[unit_id].append(resident)
    facts = []
    for receipt in receipts:
        settlement = _found(settlements, receipt.settlement_id, "settlement")
        facts.append(
            ReceiptFacts(
                receipt=receipt,
                settlement=settlement,
                community=_found(communities, settlement.community_id, "community"),
                unit=_found(units, receipt.unit_id, "unit"),
                payer=payer_of(
                    holders[receipt.unit_id], receipt.unit_id, settlement.period, receipt.issued_on
                ),
            )
        )
    return facts


def document_facts(uow: UnitOfWork, facts: Sequence[ReceiptFacts]) -> list[DocumentFacts]:
    """Besides each receipt's facts, what its document shows: seven more look-ups (history, the
    settlements' receipts, their units, meters, readings, last year's settlements and receipts), however
    many receipts."""
    if not facts:
        return []
    tenant = _one_tenant([f.receipt for f in facts])
    receipt_ids = [f.receipt.id for f in facts]
    history = _grouped(listed(uow.receipt_events, tenant, "receipt_id", receipt_ids), lambda e: e.receipt_id)
    settlements = {f.settlement.id: f.settlement for f in facts}
    siblings = _grouped(
        listed(uow.receipts, tenant, "settlement_id", sorted(settlements)), lambda r: r.settlement_id
    )
    community_ids = sorted({s.community_id for s in settlements.values()})
    areas = {u.id: u.area for u in listed(uow.units, tenant, "community_id", community_ids)}
    pools = {id: pool_totals(r.detail for r in siblings[id]) for id in settlements}
    averages = {
        id: average_per_area(
            (consumption_of(r.detail) or Decimal(0), areas.get(r.unit_id))
            for r in siblings[id]
            if measured(r.detail)
        )
        for id in settlements
    }
    readings = _readings(uow, tenant, facts)
    last_year = _last_year(uow, tenant, facts)
    debit_dates = _debit_dates(uow, tenant, [e for events in history.values() for e in events])
    return [
        DocumentFacts(
            facts=f,
            history=tuple(history[f.receipt.id]),
            pools=pools.get(f.settlement.id, ()),
            readings=readings.get(f.receipt.id, {}),
            last_year=last_year.get(f.receipt.id),
            average_per_area=averages.get(f.settlement.id),
            debit_dates=debit_dates,
        )
        for f in facts
    ]


def _debit_dates(uow: UnitOfWork, tenant: str | None, history: Sequence[ReceiptEvent]) -> dict[str, date]:
    """The collection date of every presentation a remittance made, by history entry: two look-ups (the
    remittance items that entry made, their remittances), none without a presentation."""
    sent = [e.id for e in history if e.type in (EventType.PRESENTED, EventType.REPRESENTED)]
    if not sent:
        return {}
    items = listed(uow.remittance_items, tenant, "event_id", sent)
    remittances = _by_id(listed(uow.remittances, tenant, "id", {i.remittance_id for i in items}))
    dates = {r.id: r.collection_date for r in remittances.values()}
    return {i.event_id: dates[i.remittance_id] for i in items if i.remittance_id in dates}


def _readings(
    uow: UnitOfWork, tenant: str | None, facts: Sequence[ReceiptFacts]
) -> dict[str, dict[str, list[Any]]]:
    """Per receipt, the readings of its unit's meters of its service by serial, up to its period's end."""
    unit_ids = sorted({f.unit.id for f in facts})
    meters = listed(uow.meters, tenant, "unit_id", unit_ids)
    if not meters:
        return {}
    last_day = max(f.settlement.period.end for f in facts)
    found = _grouped(
        listed(uow.readings, tenant, "meter_id", [m.id for m in meters], read_on__to=last_day),
        lambda r: r.meter_id,
    )
    by_receipt: dict[str, dict[str, list[Any]]] = {}
    for f in facts:
        by_receipt[f.receipt.id] = {
            m.serial: found[m.id]
            for m in meters
            if m.unit_id == f.unit.id and m.service is f.settlement.service
        }
    return by_receipt


def _last_year(uow: UnitOfWork, tenant: str | None, facts: Sequence[ReceiptFacts]) -> dict[str, Decimal]:
    """Per receipt, its unit's consumption in the published settlement of the same community and service
    whose period is its period a year earlier (of a corrected one, the correction)."""
    wanted = {
        f.receipt.id: (f.settlement.community_id, f.settlement.service, year_before(f.settlement.period))
        for f in facts
    }
    candidates = listed(
        uow.settlements,
        tenant,
        "community_id",
        sorted({c for c, _, _ in wanted.values()}),
        status=SettlementStatus.PUBLISHED.value,
        period_from=sorted({p.start for _, _, p in wanted.values()}),
    )
    chosen = _standing(candidates)
    match = {f.receipt.id: chosen.get(wanted[f.receipt.id]) for f in facts}
    ids = sorted({s.id for s in match.values() if s is not None})
    if not ids:
        return {}
    earlier = {
        (r.settlement_id, r.unit_id): consumption_of(r.detail)
        for r in listed(
            uow.receipts, tenant, "settlement_id", ids, unit_id=sorted({f.unit.id for f in facts})
        )
    }
    found: dict[str, Decimal] = {}
    for f in facts:
        settlement = match[f.receipt.id]
        value = None if settlement is None else earlier.get((settlement.id, f.unit.id))
        if value is not None:
            found[f.receipt.id] = value
    return found


def _standing(settlements: Iterable[Settlement]) -> dict[tuple[Any, ...], Settlement]:
    """Per (community, service, period), the published settlement no other one corrects (the last)."""
    listed = list(settlements)
    corrected = {s.supersedes for s in listed if s.supersedes is not None}
    standing: dict[tuple[Any, ...], Settlement] = {}
    for s in sorted(listed, key=lambda s: s.number or 0):
        if s.id not in corrected:
            standing[(s.community_id, s.service, s.period)] = s
    return standing


def listed(
    repository: Repository[T], tenant: str | None, name: str, values: Iterable[Any], **where: object
) -> list[T]:
    """Every record whose `name` is one of `values` (and matches `where`), in chunks of IN_LIST."""
    wanted = sorted(set(values), key=str)
    found: list[T] = []
    for start in range(0, len(wanted), IN_LIST):
        chunk: dict[str, object] = {**where, name: wanted[start : start + IN_LIST]}
        found.extend(repository.list(tenant, offset=0, limit=None, **chunk).items)
    return found


def _one_tenant(receipts: Sequence[IssuedReceipt]) -> str | None:
    """The receipts' tenant; None (every tenant: support) when they are of several."""
    tenants = {r.tenant_id for r in receipts}
    return next(iter(tenants)) if len(tenants) == 1 else None


def _by_id(items: Iterable[R]) -> dict[str, R]:
    return {item.id: item for item in items}


def _grouped(items: Iterable[T], key: Callable[[T], str]) -> defaultdict[str, list[T]]:
    groups: defaultdict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def _found(records: dict[str, T], id: str, what: str) -> T:
    found = records.get(id)
    if found is None:
        raise NotFound(f"no {what} {id}")
    return found
