"""Use cases: notifications to residents. The outbox handler makes one per (receipt, event, resident) for
every move of a receipt that residents are told of (the database refuses a second) — for many moves at
once when they were committed together, in a fixed number of queries; the sweeper sends again those no
worker holds. Sending is application/pushes.py; staff's and residents' reads, notification_admin.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from prorata.application.batches import PUSHES_AT_ONCE, spread
from prorata.application.collection_news import audience, called_off, refunded, told_more
from prorata.application.outlets import Outlets
from prorata.application.receipt_facts import listed
from prorata.application.relay import AfterCommit
from prorata.application.services import Services
from prorata.domain.collection.remittance import Remittance, RemittanceItem
from prorata.domain.community.iban import mask_iban
from prorata.domain.community.model import Community, Resident
from prorata.domain.events import ReceiptMoved
from prorata.domain.notifications.messages import News, localized
from prorata.domain.notifications.model import Notification, NotificationKind, NotificationStatus, data_of
from prorata.domain.notifications.rules import idempotency_key, kind_for, recipients
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.delivery_queue import DeliveryQueue
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.facts import payer_of
from prorata.domain.receipts.lifecycle import EventType
from prorata.domain.receipts.receipt import IssuedReceipt
from prorata.domain.settlement.heading import SettlementHeading

Remitted = tuple[RemittanceItem, Remittance]


def notify_residents(
    uow: UnitOfWork, services: Services, outlets: Outlets, event: ReceiptMoved
) -> AfterCommit:
    """The outbox handler: the notifications a receipt's move makes (domain/notifications/rules.py),
    queued — or recorded only, without OneSignal. Sent to workers after commit."""
    return notify_all(uow, services, outlets, [event])


def notify_all(
    uow: UnitOfWork, services: Services, outlets: Outlets, events: Sequence[ReceiptMoved]
) -> AfterCommit:
    """`notify_residents` for many moves, in one transaction: the receipts, their facts and holders, the
    moves' history entries, earlier receipts and remittances looked up once for all."""
    told = [e for e in events if kind_for(EventType(e.type), corrects=False) is not None]
    by_tenant: defaultdict[str, list[ReceiptMoved]] = defaultdict(list)
    for event in told:
        by_tenant[event.tenant_id].append(event)
    made = [
        id for tenant, moves in by_tenant.items() for id in _notify(uow, services, outlets, tenant, moves)
    ]
    if outlets.notifier is None or not made:
        return None

    def send() -> None:
        for ids in spread(made, PUSHES_AT_ONCE):
            outlets.queue.send_notifications(ids)

    return send


def _notify(
    uow: UnitOfWork, services: Services, outlets: Outlets, tenant: str, events: list[ReceiptMoved]
) -> list[str]:
    """The notifications made for one tenant's moves: their ids."""
    receipts = {r.id: r for r in listed(uow.receipts, tenant, "id", [e.receipt_id for e in events])}
    settlement_ids = sorted({r.settlement_id for r in receipts.values()})
    headings = {h.id: h for h in uow.settlements.headings(tenant, settlement_ids)}
    community_ids = {h.community_id for h in headings.values()}
    communities = {c.id: c for c in listed(uow.communities, tenant, "id", community_ids)}
    holders = _holders(uow, tenant, {r.unit_id for r in receipts.values()})
    replacing = _replacing(uow, tenant, list(receipts.values()), headings)
    entries = listed(uow.receipt_events, tenant, "id", [e.event_id for e in events])
    recorded = {e.id: e.recorded_at for e in entries}
    remitted = _remitted(uow, tenant, [e for e in events if e.type in ("presented", "represented")])
    called, refunds = called_off(uow, tenant, events), refunded(uow, tenant, events)
    now = services.clock.now()
    queued = outlets.notifier is not None
    made: list[Notification] = []
    for event in events:
        receipt = receipts.get(event.receipt_id)
        if receipt is None:
            continue  # gone (a tenant's records deleted since)
        heading = headings[receipt.settlement_id]
        kind = kind_for(EventType(event.type), receipt.id in replacing)
        assert kind is not None
        day = recorded[event.event_id].date() if event.event_id in recorded else now.date()
        held = holders.get(receipt.unit_id, [])
        payer = payer_of(held, receipt.unit_id, heading.period, receipt.issued_on)
        told = Told(receipt, heading, communities[heading.community_id], payer)
        news = _news(kind, told, event, remitted.get(event.event_id))
        news = told_more(news, event.event_id, called, refunds)
        hearing = audience(kind, event.event_id, held, called)
        for resident in recipients(kind, hearing, receipt.unit_id, day, payer):
            assert resident.external_id is not None
            titles, contents = localized(resident.language.value, news)
            made.append(
                Notification(
                    id=services.ids.new(),
                    tenant_id=tenant,
                    receipt_id=receipt.id,
                    event_id=event.event_id,
                    resident_id=resident.id,
                    kind=kind,
                    language=next(iter(titles)),
                    external_id=resident.external_id.strip(),
                    idempotency_key=idempotency_key(receipt.id, event.event_id, resident.id),
                    created_at=now,
                    headings=titles,
                    contents=contents,
                    data=data_of(receipt.id, event.event_id, kind),
                    status=NotificationStatus.QUEUED if queued else NotificationStatus.RECORDED_ONLY,
                    enqueued_at=now if queued else None,
                    finished_at=None if queued else now,
                )
            )
    return _added(uow, made)


def _holders(uow: UnitOfWork, tenant: str, unit_ids: set[str]) -> dict[str, list[Resident]]:
    """By unit, the residents who hold or held it: two queries (residents, their occupancies) for
    every IN_LIST units."""
    holders: defaultdict[str, list[Resident]] = defaultdict(list)
    for resident in listed(uow.residents, tenant, "unit_id", unit_ids):
        for unit_id in {o.unit_id for o in resident.occupancies} & unit_ids:
            holders[unit_id].append(resident)
    return holders


def _added(uow: UnitOfWork, made: list[Notification]) -> list[str]:
    """Stored, each once: in one write, or one by one when one of them was made already."""
    try:
        uow.notifications.add_all(made)
        return [n.id for n in made]
    except Conflict:
        pass
    added = []
    for notification in made:
        try:
            uow.notifications.add(notification)
        except Conflict:
            continue  # made already: one per (receipt, event, resident)
        added.append(notification.id)
    return added


def _replacing(
    uow: UnitOfWork, tenant: str, receipts: list[IssuedReceipt], headings: dict[str, SettlementHeading]
) -> set[str]:
    """The receipts issued by a correction that replaced a receipt of their unit."""
    corrected = {r.id: headings[r.settlement_id].supersedes for r in receipts}
    corrections = [r for r in receipts if corrected[r.id] is not None]
    if not corrections:
        return set()
    earlier = listed(
        uow.receipts,
        tenant,
        "unit_id",
        [r.unit_id for r in corrections],
        settlement_id=sorted({str(corrected[r.id]) for r in corrections}),
    )
    replaced = {(r.settlement_id, r.unit_id) for r in earlier}
    return {r.id for r in corrections if (corrected[r.id], r.unit_id) in replaced}


@dataclass(frozen=True, slots=True)
class Told:
    """What a notification tells of a receipt besides its move."""

    receipt: IssuedReceipt
    settlement: SettlementHeading
    community: Community
    payer: Resident | None


def _news(kind: NotificationKind, facts: Told, event: ReceiptMoved, remitted: Remitted | None) -> News:
    """What the notification tells. A collection by one of our remittances is told with its debit date,
    and the mandate, account and creditor identifier the remittance used (the SEPA pre-notification);
    one a management system reports, with the payer's and the community's as they are now."""
    receipt = facts.receipt
    news = News(
        kind=kind,
        number=receipt.number,
        community=facts.community.name,
        service=facts.settlement.service.value,
        period_start=facts.settlement.period.start,
        period_end=facts.settlement.period.end,
        total_cents=receipt.total_cents,
        currency=receipt.currency,
        on=date.fromisoformat(event.on),
        due_on=receipt.due_on,
        reason=event.reason,
    )
    if kind is not NotificationKind.SENT_FOR_COLLECTION:
        return news
    if remitted is not None:
        item, remittance = remitted
        return replace(
            news,
            debit_on=remittance.collection_date,
            mandate=item.mandate_id,
            creditor=remittance.creditor.creditor_id,
            account=mask_iban(item.payer_iban),
        )
    payer = facts.payer
    return replace(
        news,
        mandate=payer.mandate_id if payer else None,
        creditor=facts.community.creditor_id,
        account=mask_iban(payer.iban) if payer and payer.iban else None,
    )


def remitted_by(uow: UnitOfWork, event: ReceiptMoved) -> Remitted | None:
    """The remittance item a presentation was made by (domain/collection), if one was."""
    return _remitted(uow, event.tenant_id, [event]).get(event.event_id)


def _remitted(uow: UnitOfWork, tenant: str, events: Sequence[ReceiptMoved]) -> dict[str, Remitted]:
    """By event id, the remittance items the presentations were made by, with their remittances."""
    if not events:
        return {}
    items = listed(uow.remittance_items, tenant, "event_id", [e.event_id for e in events])
    remittances = {r.id: r for r in listed(uow.remittances, tenant, "id", [i.remittance_id for i in items])}
    found: dict[str, Remitted] = {}
    for item in sorted(items, key=lambda i: i.id):
        remittance = remittances.get(item.remittance_id)
        if remittance is not None:
            found.setdefault(item.event_id, (item, remittance))
    return found


def sweep_notifications(uow: UnitOfWork, clock: Clock, queue: DeliveryQueue, stale: timedelta) -> list[str]:
    """Send again the notifications no worker holds (queued and due, or sending past their lease), each at
    most once per `stale` interval however many processes sweep. Returns their ids."""
    now = clock.now()
    before = now - stale
    jobs = uow.notification_jobs
    due = [id for id in jobs.due(now, before) if jobs.mark_sent(id, now, before)]
    uow.commit()
    for ids in spread(due, PUSHES_AT_ONCE):
        queue.send_notifications(ids)
    return due
