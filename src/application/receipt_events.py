"""Use cases: a receipt's history, and the moves a management system reports from its bank (presented for
collection, paid, returned, presented again, cancelled)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from prorata.application.access import fetch, require
from prorata.application.idempotency import Answer, fingerprint, remember, replayed
from prorata.application.receipts import readable_receipt
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.lifecycle import REPORTED, EventType, InvalidEvent, ReceiptEvent
from prorata.domain.receipts.receipt import IssuedReceipt, Move, move, told

# A move that loses a race is tried again on the receipt as the winner left it, as a lock would have
# made it wait for; a receipt that keeps changing under it that many times is a conflict.
TRIES = 3


@dataclass(frozen=True, slots=True)
class Report:
    """What a caller says happened to a receipt, and when."""

    type: EventType
    on: date
    reason: str | None = None
    note: str | None = None


def history_of(uow: UnitOfWork, receipt: IssuedReceipt) -> list[ReceiptEvent]:
    """The receipt's history, oldest first (its issue is the first entry)."""
    return uow.receipt_events.list(receipt.tenant_id, receipt_id=receipt.id).items


def receipt_history(uow: UnitOfWork, caller: Principal, receipt_id: str) -> list[ReceiptEvent]:
    """The history of a receipt the caller may read (a resident: one of hers); NotFound otherwise."""
    return history_of(uow, readable_receipt(uow, caller, receipt_id))


def report_move(
    uow: UnitOfWork,
    services: Services,
    caller: Principal,
    receipt_id: str,
    report: Report,
    idempotency_key: str | None,
    answer: Callable[[IssuedReceipt], dict[str, Any]],
) -> Answer:
    """Move the receipt as reported, keep the move in its history and tell the outbox, in one
    transaction; returns (201, `answer` of the moved receipt). With an idempotency key, the same report
    again returns the first answer and moves nothing; the key with another report is KeyReused.

    InvalidTransition when the receipt's status does not allow the move (also when a concurrent move
    took it elsewhere first); InvalidEvent for a bad date, reason or note; NotFound for another
    tenant's receipt; Conflict when it kept changing under this request."""
    require(caller, Action.WRITE)
    assert caller.tenant_id is not None
    if report.type not in REPORTED:
        raise InvalidEvent(f"type {report.type.value} is prorata's own to record, not a caller's", "type")
    asked = fingerprint({"receipt_events": receipt_id, "report": asdict(report)})
    for _ in range(TRIES):
        if idempotency_key is not None:
            earlier = replayed(uow, caller.tenant_id, idempotency_key, asked)
            if earlier is not None:
                return earlier
        receipt = fetch(uow.receipts, caller, receipt_id, "receipt")
        moved, entry = move(
            receipt,
            Move(report.type, report.on, caller.role.value, report.reason, report.note),
            services.ids.new(),
            services.clock.now(),
        )
        if _stored(uow, receipt, moved, entry):
            uow.emit(told(entry))
            result: Answer = 201, answer(moved)
            if idempotency_key is not None:
                result = remember(uow, services.ids, caller.tenant_id, idempotency_key, asked, result)
            uow.commit()
            return result
        uow.rollback()  # another move came first: try again on the receipt as it left it
    raise Conflict(f"receipt {receipt_id} kept changing while this move was recorded; read it and retry")


def _stored(uow: UnitOfWork, receipt: IssuedReceipt, moved: IssuedReceipt, entry: ReceiptEvent) -> bool:
    """Whether this move is the receipt's next: its version had not changed, and no entry holds its
    place in the history (the unique (receipt, seq) stops what the version check let through)."""
    if not uow.receipts.update_if(moved, version=receipt.version):
        return False
    try:
        uow.receipt_events.add(entry)
    except Conflict:
        return False
    return True
