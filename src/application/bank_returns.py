"""Use case: a bank file arrives (pain.002 status report, camt.054 notification) and moves the receipts
it reports on: rejected or returned → `returned` with the bank's reason code, booked → `paid`, refunded
after payment → `returned` again. Each file is kept and applied once per tenant; the same file again gets
the first answer and moves nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from prorata.application.access import fetch, require
from prorata.application.bank_matching import ItemFinder
from prorata.application.collection_ports import CollectionPorts
from prorata.application.idempotency import Answer
from prorata.application.receipt_events import _stored as stored_move
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal
from prorata.domain.collection.bank_report import (
    NEGATIVE,
    BankOutcome,
    BankReport,
    BankTransaction,
    UnreadableBankFile,
)
from prorata.domain.collection.bank_return import BankReturn, BankReturnLine, BankReturnStatus
from prorata.domain.collection.remittance import (
    ItemOutcome,
    RemittanceItem,
    RemittanceStatus,
)
from prorata.domain.collection.returns import decide, event_day
from prorata.domain.ports.repository import Conflict, Page
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.lifecycle import MAX_NOTE, ReceiptStatus, latest_day
from prorata.domain.receipts.notes import bank_file_note
from prorata.domain.receipts.receipt import Move, move, told

TRIES = 3
ACTOR = "bank"
MAX_NAME = 255
_NOTHING_YET = {
    BankOutcome.ACCEPTED: "accepted by the bank: the outcome of its transactions comes in a later file",
    BankOutcome.PENDING: "not booked yet: the outcome of its transactions comes in a later file",
}


class FileRefused(UnreadableBankFile):
    """The file was refused when first received; sent again, it is refused again with the same words."""


def receive_bank_file(
    uow: UnitOfWork,
    services: Services,
    bank: CollectionPorts,
    caller: Principal,
    content: bytes,
    original_name: str,
) -> Answer:
    """Keep the file, read it and apply what it reports, in one transaction: (201, what it did) —
    `applied` (receipt moved), `unknown` (no transaction of ours), `ignored` (nothing to do, and why).
    The same file again: (200, that first answer). UnreadableBankFile (422) for a file that is not a bank
    report prorata reads; it is kept all the same, and refused the same way if sent again."""
    require(caller, Action.WRITE)
    assert caller.tenant_id is not None
    tenant = caller.tenant_id
    sha, size = services.blobs.put_file(io.BytesIO(content))  # kept, whatever it holds
    for _ in range(TRIES):
        earlier = _earlier(uow, tenant, sha)
        if earlier is not None:
            return earlier
        now = services.clock.now()
        record = BankReturn(
            services.ids.new(), tenant, sha, size, original_name[:MAX_NAME] or "bank-file", now,
            BankReturnStatus.APPLIED,
        )  # fmt: skip
        try:
            report = bank.reader.read(content)
        except UnreadableBankFile as error:
            if _kept(uow, replace(record, status=BankReturnStatus.REFUSED, problem=str(error))):
                uow.commit()
                raise
            continue
        record = replace(record, format=report.format, message_id=(report.message_id or "")[:100] or None)
        if not _kept(uow, record):
            continue  # the same file, received at the same time: its first answer is the answer
        done = _Applied()
        if not _apply(uow, services, record, report, done):
            uow.rollback()
            continue
        result = done.result(record)
        uow.bank_returns.update(replace(record, result=result))
        uow.commit()
        return 201, result
    raise Conflict("the receipts of this bank file kept changing while it was applied; send it again")


def _earlier(uow: UnitOfWork, tenant: str, sha: str) -> Answer | None:
    found = uow.bank_returns.list(tenant, sha256=sha).items
    if not found:
        return None
    first = found[0]
    if first.status is BankReturnStatus.REFUSED:
        raise FileRefused(first.problem or "the file was refused when first received")
    return 200, dict(first.result or {})


def _kept(uow: UnitOfWork, record: BankReturn) -> bool:
    """Record the file; False (rolled back) when a concurrent request recorded the same file first."""
    try:
        uow.bank_returns.add(record)
    except Conflict:
        uow.rollback()
        return False
    return True


@dataclass
class _Applied:
    applied: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)

    def result(self, record: BankReturn) -> dict[str, Any]:
        return {
            "id": record.id,
            "format": record.format,
            "message_id": record.message_id,
            "sha256": record.sha256,
            "received_at": record.received_at.isoformat(),
            "applied": self.applied,
            "unknown": self.unknown,
            "ignored": self.ignored,
        }


def _apply(
    uow: UnitOfWork, services: Services, record: BankReturn, report: BankReport, done: _Applied
) -> bool:
    """Apply every transaction of the report (rejections and returns first, so that a collection booked
    and returned in one file ends returned); False when a receipt moved under it."""
    now = services.clock.now()
    finder = ItemFinder(uow, record.tenant_id, report, ACTOR)
    ordered = sorted(report.transactions, key=lambda t: t.outcome not in NEGATIVE)
    for tx in ordered:
        if tx.end_to_end_id is None and tx.outcome in _NOTHING_YET:
            done.ignored.append({**_said(tx), "why": _NOTHING_YET[tx.outcome]})
            continue
        found = finder.transaction(tx) if tx.end_to_end_id is not None else finder.batch(tx)
        if found.unknown:
            done.unknown.append(_said(tx))
            continue
        if found.why is not None:
            whose = [{"end_to_end_id": i.end_to_end_id, "receipt_id": i.receipt_id} for i in found.items]
            done.ignored += [{**_said(tx), **w, "why": found.why} for w in whose or [{}]]
            continue
        for item in found.items:
            if not _one(uow, services, record, report, tx, item, now, done, finder):
                return False
    return _closed(uow, record.tenant_id, done.touched)


def _one(
    uow: UnitOfWork,
    services: Services,
    record: BankReturn,
    report: BankReport,
    tx: BankTransaction,
    item: RemittanceItem,
    now: datetime,
    done: _Applied,
    finder: ItemFinder,
) -> bool:
    receipt = uow.receipts.get(record.tenant_id, item.receipt_id)
    assert receipt is not None  # an item's receipt is never deleted (a foreign key)
    decision = decide(tx.outcome, item, receipt.status)
    said = {**_said(tx), "end_to_end_id": item.end_to_end_id, "receipt_id": receipt.id}
    if decision.event is None or decision.outcome is None:
        done.ignored.append({**said, "why": decision.why})
        if item.open and receipt.status is not ReceiptStatus.IN_COLLECTION:
            # Moved on by other means (reported over REST, superseded by a correction): no longer at
            # the bank through this remittance, which may then close.
            left = replace(item, open=None, outcome=ItemOutcome.LEFT, outcome_on=now.date())
            if not uow.remittance_items.update_if(left, open=True):
                return False
            finder.moved(left)
            done.touched.add(item.remittance_id)
        return True
    last = receipt.status_on or receipt.issued_on or now.date()
    on = event_day(tx, report.created_on, last, latest_day(now))
    asked = Move(decision.event, on, ACTOR, tx.reason, _note(tx, record))
    moved, entry = move(receipt, asked, services.ids.new(), now)
    if not stored_move(uow, receipt, moved, entry):
        return False
    closed = replace(item, open=None, outcome=decision.outcome, outcome_on=on, reason=entry.reason)
    expected = {"open": item.open, "outcome": None if item.outcome is None else item.outcome.value}
    if not uow.remittance_items.update_if(closed, **expected):
        return False
    finder.moved(closed)
    try:
        uow.bank_return_lines.add(
            BankReturnLine(
                services.ids.new(), record.tenant_id, record.id, item.id, entry.id, decision.outcome.value,
                entry.reason,
            )
        )  # fmt: skip
    except Conflict:
        return False
    uow.emit(told(entry))
    done.touched.add(item.remittance_id)
    done.applied.append(
        {
            "receipt_id": receipt.id,
            "end_to_end_id": item.end_to_end_id,
            "remittance_id": item.remittance_id,
            "outcome": moved.status.value,
            "reason": entry.reason,
            "on": on.isoformat(),
        }
    )
    return True


def _note(tx: BankTransaction, record: BankReturn) -> str | None:
    return bank_file_note(record.format or "", record.message_id, tx.note)[:MAX_NOTE]


def _said(tx: BankTransaction) -> dict[str, Any]:
    return {
        "end_to_end_id": tx.end_to_end_id,
        "message_id": tx.message_id,
        "payment_information_id": tx.payment_information_id,
        "status": tx.status,
        "outcome": tx.outcome.value,
        "reason": tx.reason,
    }


def _closed(uow: UnitOfWork, tenant: str, remittance_ids: set[str]) -> bool:
    """An open remittance none of whose items is at the bank any more is closed."""
    for remittance_id in sorted(remittance_ids):
        remittance = uow.remittances.get(tenant, remittance_id)
        if remittance is None or remittance.status is not RemittanceStatus.OPEN:
            continue
        if uow.remittance_items.list(tenant, remittance_id=remittance_id, open=True, limit=1).total:
            continue
        closed = replace(remittance, status=RemittanceStatus.CLOSED)
        if not uow.remittances.update_if(closed, status=RemittanceStatus.OPEN.value):
            return False
    return True


def list_bank_returns(
    uow: UnitOfWork, caller: Principal, *, offset: int = 0, limit: int | None = None
) -> Page[BankReturn]:
    require(caller, Action.READ)
    return uow.bank_returns.list(caller.tenant_scope, offset=offset, limit=limit)


def bank_return(uow: UnitOfWork, caller: Principal, bank_return_id: str) -> BankReturn:
    require(caller, Action.READ)
    return fetch(uow.bank_returns, caller, bank_return_id, "bank file")
