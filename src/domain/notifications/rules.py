"""Which notification a receipt's move makes, and for whom.

- A receipt issued is told as `issued`; issued by a correction that replaced the unit's earlier receipt,
  as `corrected` — the earlier receipt's `superseded` move tells nothing, so nobody hears of one period
  twice as "issued". Presented (and presented again after a return) is `sent_for_collection`; `paid` and
  `returned` are told as such; a cancellation tells nothing (not one of the steps residents are told).
  A collection withdrawn before its date (its remittance cancelled) is `collection_cancelled`, told to
  exactly the residents told of that collection — no one else hears of a debit called off.
- Who: the residents holding the unit on the day the move was recorded, with an external id (the address
  OneSignal knows them by). An issue or a correction is told to every holder — owners and occupants
  alike: whoever lives there sees what the dwelling costs. A collection, a payment and a return concern
  the payer's bank account and mandate: they are told to the owners only, never to an occupant. The
  receipt's payer (the owner at the period's end, who may have sold since) is told in every case.
- One notification per (receipt, event, resident), under an idempotency key derived from that triple:
  however often it is sent, OneSignal delivers it once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from prorata.domain.community.model import OccupancyRole, Resident
from prorata.domain.notifications.model import NotificationKind
from prorata.domain.receipts.lifecycle import EventType

# Fixed forever: every key ever sent was derived under it.
KEY_NAMESPACE = uuid.UUID("5b0f8a3e-6c1d-5e57-9f42-70726f726174")

_KINDS = {
    EventType.PRESENTED: NotificationKind.SENT_FOR_COLLECTION,
    EventType.REPRESENTED: NotificationKind.SENT_FOR_COLLECTION,
    EventType.PAID: NotificationKind.PAID,
    EventType.RETURNED: NotificationKind.RETURNED,
    EventType.WITHDRAWN: NotificationKind.COLLECTION_CANCELLED,
}
TOLD_TO_OCCUPANTS = frozenset({NotificationKind.ISSUED, NotificationKind.CORRECTED})


def kind_for(event: EventType, corrects: bool) -> NotificationKind | None:
    """The notification a move makes; None when it tells residents nothing. `corrects`: the receipt was
    issued by a correction and replaces an earlier receipt of its unit."""
    if event is EventType.ISSUED:
        return NotificationKind.CORRECTED if corrects else NotificationKind.ISSUED
    return _KINDS.get(event)


def recipients(
    kind: NotificationKind, residents: Iterable[Resident], unit_id: str, day: date, payer: Resident | None
) -> list[Resident]:
    """Who is told, each once, by id: see the module's rules. For `collection_cancelled`, `residents` are
    those told of the collection, and only they are told."""
    if kind is NotificationKind.COLLECTION_CANCELLED:
        told = {r.id: r for r in residents}
        return [r for _, r in sorted(told.items()) if r.external_id and r.external_id.strip()]
    roles = (
        {OccupancyRole.OWNER, OccupancyRole.OCCUPANT} if kind in TOLD_TO_OCCUPANTS else {OccupancyRole.OWNER}
    )
    chosen = {
        r.id: r
        for r in residents
        if any(o.unit_id == unit_id and o.role in roles and o.covers(day) for o in r.occupancies)
    }
    if payer is not None:
        chosen.setdefault(payer.id, payer)
    return [r for _, r in sorted(chosen.items()) if r.external_id and r.external_id.strip()]


def idempotency_key(receipt_id: str, event_id: str, resident_id: str) -> str:
    """A UUID (v5) derived from (receipt, event, resident): the same triple, the same key, in any process."""
    return str(uuid.uuid5(KEY_NAMESPACE, f"{receipt_id}/{event_id}/{resident_id}"))
