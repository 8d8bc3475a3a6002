"""A unit's receipt of a published settlement, and the moves of its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from prorata.domain.events import ReceiptMoved
from prorata.domain.receipts.lifecycle import (
    EventType,
    ReceiptEvent,
    ReceiptStatus,
    checked_date,
    checked_note,
    checked_reason,
    latest_day,
    next_status,
)

DEFAULT_DUE_DAYS = 15


@dataclass(frozen=True, slots=True)
class IssuedReceipt:
    """`detail` is its contract v1 receipt with every line. `status_on` is the date of its last move and
    `version` counts its moves (1 when issued): the PDF cache and the ETag follow it."""

    id: str
    tenant_id: str
    settlement_id: str
    unit_id: str
    number: str
    total_cents: int
    currency: str
    detail: dict[str, Any]
    status: ReceiptStatus = ReceiptStatus.ISSUED
    issued_on: date | None = None
    due_on: date | None = None
    status_on: date | None = None
    version: int = 1


def due_date(issued_on: date, due_days: int | None) -> date:
    """A receipt falls due `due_days` after its issue (the community's setting, 15 by default)."""
    return issued_on + timedelta(days=DEFAULT_DUE_DAYS if due_days is None else due_days)


@dataclass(frozen=True, slots=True)
class Move:
    """A move a caller asks for: what, when, who, and the bank's reason code and a note if any."""

    type: EventType
    on: date
    actor: str
    reason: str | None = None
    note: str | None = None


def issue_event(receipt: IssuedReceipt, event_id: str, actor: str, now: datetime) -> ReceiptEvent:
    """The first entry of a receipt's history."""
    assert receipt.issued_on is not None
    return ReceiptEvent(
        event_id, receipt.tenant_id, receipt.id, 1, EventType.ISSUED, receipt.issued_on,
        ReceiptStatus.ISSUED, actor, now,
    )  # fmt: skip


def move(
    receipt: IssuedReceipt, asked: Move, event_id: str, now: datetime
) -> tuple[IssuedReceipt, ReceiptEvent]:
    """The receipt after the move, and its history entry; InvalidTransition or InvalidEvent otherwise."""
    status = next_status(receipt.status, asked.type)
    last = receipt.status_on or receipt.issued_on or asked.on
    on = checked_date(asked.on, last, latest_day(now))
    entry = ReceiptEvent(
        id=event_id,
        tenant_id=receipt.tenant_id,
        receipt_id=receipt.id,
        seq=receipt.version + 1,
        type=asked.type,
        on=on,
        status=status,
        actor=asked.actor,
        recorded_at=now,
        reason=checked_reason(asked.reason),
        note=checked_note(asked.note),
    )
    return replace(receipt, status=status, status_on=on, version=receipt.version + 1), entry


def told(entry: ReceiptEvent) -> ReceiptMoved:
    """The outbox event of a history entry."""
    return ReceiptMoved(
        entry.tenant_id, entry.receipt_id, entry.id, entry.type.value, entry.status.value,
        entry.on.isoformat(), entry.reason,
    )  # fmt: skip


def superseded(receipt: IssuedReceipt, event_id: str, now: datetime) -> tuple[IssuedReceipt, ReceiptEvent]:
    """An unpaid receipt replaced by the receipt of a published correction: today, or on its last move's
    day when a caller east of UTC dated that move ahead of the clock's UTC day."""
    on = max(d for d in (now.date(), receipt.status_on) if d is not None)
    return move(receipt, Move(EventType.SUPERSEDED, on, "prorata"), event_id, now)


def receipt_number(community_code: str, settlement_number: int, position: int) -> str:
    """Stable and unique per tenant: community, settlement sequence, unit position."""
    return f"{community_code}-{settlement_number:05d}-{position + 1:04d}"
