"""A receipt's lifecycle: issued → in_collection → paid | returned; returned → in_collection (presented
again) or paid (by other means); issued → paid (transfer, cash); issued | returned → cancelled; any unpaid
receipt → superseded by a published correction. in_collection → issued when its remittance is withdrawn
before its collection date; paid → returned when the debtor has a direct debit refunded (MD06: up to 8
weeks after it, 13 months when unauthorised). Cancelled and superseded are final.

Each move is a `ReceiptEvent` in the receipt's history (date, actor, optional bank reason code and
note), and a `ReceiptMoved` domain event (domain/events.py) in the outbox, which the notification and
webhook handlers consume."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class ReceiptStatus(StrEnum):
    ISSUED = "issued"
    IN_COLLECTION = "in_collection"
    PAID = "paid"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"


class EventType(StrEnum):
    """What happened to a receipt. `presented`: sent to the bank for collection (a SEPA remittance, or the
    management system's own); `represented`: presented again after a return."""

    ISSUED = "issued"
    PRESENTED = "presented"
    PAID = "paid"
    RETURNED = "returned"
    REPRESENTED = "represented"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"  # taken back from the bank before its collection date (remittance cancelled)


S, E = ReceiptStatus, EventType
TRANSITIONS: dict[tuple[ReceiptStatus, EventType], ReceiptStatus] = {
    (S.ISSUED, E.PRESENTED): S.IN_COLLECTION,
    (S.ISSUED, E.PAID): S.PAID,
    (S.ISSUED, E.CANCELLED): S.CANCELLED,
    (S.ISSUED, E.SUPERSEDED): S.SUPERSEDED,
    (S.IN_COLLECTION, E.PAID): S.PAID,
    (S.IN_COLLECTION, E.RETURNED): S.RETURNED,
    (S.IN_COLLECTION, E.SUPERSEDED): S.SUPERSEDED,
    (S.IN_COLLECTION, E.WITHDRAWN): S.ISSUED,
    (S.PAID, E.RETURNED): S.RETURNED,  # a refund of a direct debit
    (S.RETURNED, E.REPRESENTED): S.IN_COLLECTION,
    (S.RETURNED, E.PAID): S.PAID,
    (S.RETURNED, E.CANCELLED): S.CANCELLED,
    (S.RETURNED, E.SUPERSEDED): S.SUPERSEDED,
}
# What a caller reports; `issued`, `superseded` and `withdrawn` are prorata's own doing (publishing a
# settlement, then a correction of it; cancelling a remittance).
REPORTED = (E.PRESENTED, E.PAID, E.RETURNED, E.REPRESENTED, E.CANCELLED)
FINAL = frozenset({S.CANCELLED, S.SUPERSEDED})
UNPAID = frozenset({S.ISSUED, S.IN_COLLECTION, S.RETURNED})

# ISO 20022 status reason codes are four letters or digits (AC04, AM04, MD06, MS02, …).
_REASON = re.compile(r"[A-Z0-9]{4}")
MAX_NOTE = 500


class InvalidTransition(Exception):
    """The move is not allowed from the receipt's current status (HTTP 409 `invalid_transition`)."""

    code = "invalid_transition"

    def __init__(self, status: ReceiptStatus, event: EventType) -> None:
        self.status = status
        self.event = event
        allowed = ", ".join(e.value for (s, e) in TRANSITIONS if s is status)
        then = f"it may be {allowed}" if allowed else "it is final: nothing more may happen to it"
        super().__init__(f"a receipt that is {status.value} cannot be {event.value}; {then}")


class InvalidEvent(ValueError):
    """The event itself is malformed (a bad reason code, a date before the receipt's last move…): 422."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def next_status(status: ReceiptStatus, event: EventType) -> ReceiptStatus:
    """The status after `event`, or InvalidTransition."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(status, event) from None


@dataclass(frozen=True, slots=True)
class ReceiptEvent:
    """One entry of a receipt's history. `seq` counts from 1 (the issue) and is unique per receipt: two
    concurrent moves from the same state cannot both be stored. `actor` says who reported it (a role, `bank`
    for a bank file, `prorata` for what the system did itself)."""

    id: str
    tenant_id: str
    receipt_id: str
    seq: int
    type: EventType
    on: date
    status: ReceiptStatus
    actor: str
    recorded_at: datetime
    reason: str | None = None
    note: str | None = None


def refunds(history: Iterable[ReceiptEvent]) -> frozenset[str]:
    """The `returned` entries that gave back a collection already paid — a refund (MD06, the debtor's
    right for 8 weeks; an unauthorised debit for 13 months) — by id. The others returned a collection
    before it was paid: the bank rejected it, or returned it before settlement."""
    found: set[str] = set()
    before: ReceiptStatus | None = None
    for entry in sorted(history, key=lambda e: e.seq):
        if entry.type is EventType.RETURNED and before is ReceiptStatus.PAID:
            found.add(entry.id)
        before = entry.status
    return frozenset(found)


def checked_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    code = reason.strip().upper()
    if not _REASON.fullmatch(code):
        raise InvalidEvent(
            f"reason {reason!r} is not an ISO 20022 reason code (four letters or digits)", "reason"
        )
    return code


def checked_note(note: str | None) -> str | None:
    if note is None:
        return None
    if len(note) > MAX_NOTE:
        raise InvalidEvent(f"note is longer than {MAX_NOTE} characters", "note")
    return note


# A date is a day where the caller is: the clock's UTC day is already over in UTC+1 at 23:30 UTC, so
# "today" reaches as far as the earliest time zone (UTC+14) before a date counts as the future.
EARLIEST_ZONE = timedelta(hours=14)


def latest_day(now: datetime) -> date:
    """The latest date that is today somewhere on Earth at `now` (UTC)."""
    return (now + EARLIEST_ZONE).date()


def checked_date(on: date, last: date, today: date) -> date:
    """An event happens on or after the receipt's last move, and not after `today` (`latest_day`)."""
    if on < last:
        raise InvalidEvent(
            f"on {on.isoformat()} is before the receipt's last change ({last.isoformat()})", "on"
        )
    if on > today:
        raise InvalidEvent(f"on {on.isoformat()} is in the future", "on")
    return on
