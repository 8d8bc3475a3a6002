"""What a notification tells of a collection beyond the move itself, for many moves at once (a handful of
queries, whatever their number): the collection a withdrawal called off — the debit date it was to be
made on, and who was told of it — and which returns gave back a collection already paid (refunds)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from prorata.application.receipt_facts import listed
from prorata.domain.community.model import Resident
from prorata.domain.events import ReceiptMoved
from prorata.domain.notifications.messages import News
from prorata.domain.notifications.model import NotificationKind
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent, refunds

_SENT = (EventType.PRESENTED, EventType.REPRESENTED)


@dataclass(frozen=True, slots=True)
class CalledOff:
    """The collection a withdrawal undid: its debit date (the remittance's collection date), the
    remittance, and the residents its `sent_for_collection` notification was made for."""

    debit_on: date
    remittance_id: str | None
    told: tuple[Resident, ...]


def called_off(uow: UnitOfWork, tenant: str, events: Sequence[ReceiptMoved]) -> dict[str, CalledOff]:
    """By event id, the collection each `withdrawn` move among `events` called off."""
    withdrawn = [e for e in events if e.type == EventType.WITHDRAWN.value]
    if not withdrawn:
        return {}
    history = _histories(uow, tenant, withdrawn)
    undone: dict[str, ReceiptEvent] = {}
    for event in withdrawn:
        entries = history[event.receipt_id]
        seq = next((e.seq for e in entries if e.id == event.event_id), None)
        sent = [e for e in entries if e.type in _SENT and (seq is None or e.seq < seq)]
        if sent:
            undone[event.event_id] = sent[-1]
    sent_ids = sorted({e.id for e in undone.values()})
    items = {i.event_id: i for i in listed(uow.remittance_items, tenant, "event_id", sent_ids)}
    remittances = {
        r.id: r for r in listed(uow.remittances, tenant, "id", {i.remittance_id for i in items.values()})
    }
    notified = listed(
        uow.notifications, tenant, "event_id", sent_ids, kind=NotificationKind.SENT_FOR_COLLECTION.value
    )
    residents = {r.id: r for r in listed(uow.residents, tenant, "id", {n.resident_id for n in notified})}
    told: defaultdict[str, list[Resident]] = defaultdict(list)
    for notification in notified:
        if notification.resident_id in residents:
            told[notification.event_id].append(residents[notification.resident_id])
    found = {}
    for event_id, sent_by in undone.items():
        item = items.get(sent_by.id)
        remittance = remittances.get(item.remittance_id) if item is not None else None
        found[event_id] = CalledOff(
            remittance.collection_date if remittance is not None else sent_by.on,
            remittance.id if remittance is not None else None,
            tuple(told[sent_by.id]),
        )
    return found


def refunded(uow: UnitOfWork, tenant: str, events: Sequence[ReceiptMoved]) -> set[str]:
    """The ids of the `returned` moves among `events` that gave back a collection already paid."""
    returned = [e for e in events if e.type == EventType.RETURNED.value]
    if not returned:
        return set()
    history = _histories(uow, tenant, returned)
    return {e.event_id for e in returned if e.event_id in refunds(history[e.receipt_id])}


def audience(
    kind: NotificationKind, event_id: str, holders: list[Resident], called: Mapping[str, CalledOff]
) -> list[Resident]:
    """Whom a notification may reach: the unit's holders; of a collection called off, only those told
    of the collection."""
    if kind is NotificationKind.COLLECTION_CANCELLED:
        found = called.get(event_id)
        return [] if found is None else list(found.told)
    return holders


def told_more(news: News, event_id: str, called: Mapping[str, CalledOff], refunds: set[str]) -> News:
    """The news with the debit date of a collection called off, or told as a refund."""
    if event_id in called:
        return replace(news, debit_on=called[event_id].debit_on)
    if event_id in refunds:
        return replace(news, refund=True)
    return news


def _histories(
    uow: UnitOfWork, tenant: str, events: Sequence[ReceiptMoved]
) -> defaultdict[str, list[ReceiptEvent]]:
    """The history of each event's receipt, oldest first, by receipt id."""
    history: defaultdict[str, list[ReceiptEvent]] = defaultdict(list)
    for entry in listed(uow.receipt_events, tenant, "receipt_id", {e.receipt_id for e in events}):
        history[entry.receipt_id].append(entry)
    for entries in history.values():
        entries.sort(key=lambda e: e.seq)
    return history
