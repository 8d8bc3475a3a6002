"""What a bank's reported outcome does to a receipt in a remittance: a rejection or a return moves it to
`returned`, a booking to `paid`, a refund after payment back to `returned`; anything else changes
nothing, and says why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prorata.domain.collection.bank_report import NEGATIVE, BankOutcome, BankTransaction
from prorata.domain.collection.remittance import ItemOutcome, RemittanceItem
from prorata.domain.receipts.lifecycle import EventType, ReceiptStatus


@dataclass(frozen=True, slots=True)
class Decision:
    """The move to make (and the item's outcome), or none and why."""

    event: EventType | None
    outcome: ItemOutcome | None = None
    why: str | None = None


def decide(reported: BankOutcome, item: RemittanceItem, status: ReceiptStatus) -> Decision:
    at_bank = bool(item.open) and status is ReceiptStatus.IN_COLLECTION
    if reported is BankOutcome.ACCEPTED:
        return Decision(None, why="accepted by the bank: its outcome comes in a later file")
    if reported is BankOutcome.PENDING:
        return Decision(None, why="not booked yet: its outcome comes in a later file")
    if reported in NEGATIVE:
        if at_bank:
            kept = ItemOutcome.REJECTED if reported is BankOutcome.REJECTED else ItemOutcome.RETURNED
            return Decision(EventType.RETURNED, kept)
        if item.outcome is ItemOutcome.PAID and status is ReceiptStatus.PAID:
            return Decision(EventType.RETURNED, ItemOutcome.RETURNED)  # a refund after payment
        return Decision(None, why=_already(item, status))
    if at_bank:
        return Decision(EventType.PAID, ItemOutcome.PAID)
    return Decision(None, why=_already(item, status))


def _already(item: RemittanceItem, status: ReceiptStatus) -> str:
    if item.outcome is not None:
        return f"this collection is {item.outcome.value} already (the receipt is {status.value})"
    return f"the receipt is {status.value}, no longer at the bank"


def event_day(transaction: BankTransaction, report_on: date | None, last: date, today: date) -> date:
    """The day the move happened: the transaction's (booking) date, else the file's; never before the
    receipt's last move, nor after today."""
    day = transaction.on or report_on or today
    return min(max(day, last), today)
