"""Which remittance items a bank's reported transaction is about — pure rules over what was found.

- The message ids and block ids prorata writes (`PRT-000001-3f2a9c0d1e4b`, `…-FRST`) are found whatever
  case a bank gives them back in.
- A transaction of a message of ours is about that remittance's item of its EndToEndId (the receipt
  number, in any case) or about none: another remittance's item of the same number is never taken.
- Without a message of ours, the receipt number's item still at the bank (for a return, the one last
  paid) — unless the receipt's history holds that very move already, reported by a bank the same day
  with the same reason: then it is that move told again (a corrected or copied file), after the
  receipt was presented anew.
- A remittance booked as one sum pays the items still at the bank whose number and sum are what the
  bank booked — all of them, or those of one of its blocks — and none when they are not."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from prorata.domain.collection.bank_report import NEGATIVE, BankOutcome, BankTransaction
from prorata.domain.collection.remittance import ItemOutcome, RemittanceItem, SequenceType
from prorata.domain.collection.rules import MAX_ID
from prorata.domain.money import from_cents
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent

# rules.message_id and rules.payment_information_id write these (a test checks they still do).
_MESSAGE = re.compile(r"(PRT-[0-9]+-[0-9a-f]{12})(?:-(FRST|RCUR))?", re.IGNORECASE)


def our_message(text: str | None) -> str | None:
    """A message id as prorata wrote it, from a bank's MsgId (or a PmtInfId's message part)."""
    if not text:
        return None
    text = text.strip()[:MAX_ID]
    found = _MESSAGE.fullmatch(text)
    return text if found is None else "PRT-" + found[1][4:].lower()


def our_block(text: str | None) -> tuple[str, SequenceType] | None:
    """The message id and sequence type a PmtInfId of ours names (`<message>-FRST`)."""
    found = _MESSAGE.fullmatch((text or "").strip())
    if found is None or found[2] is None:
        return None
    return "PRT-" + found[1][4:].lower(), SequenceType(found[2].upper())


def numbered(items: Sequence[RemittanceItem], end_to_end_id: str) -> list[RemittanceItem]:
    """The items of one remittance whose EndToEndId is the one reported, in the case written or, when
    the bank changed it, in any case (if that names one item only)."""
    exact = [i for i in items if i.end_to_end_id == end_to_end_id]
    if exact:
        return exact
    folded = [i for i in items if i.end_to_end_id.casefold() == end_to_end_id.casefold()]
    return folded if len({i.receipt_id for i in folded}) == 1 else []


def latest_of_number(items: Sequence[RemittanceItem], outcome: BankOutcome) -> list[RemittanceItem]:
    """Of the items of one receipt number (oldest first), the one a transaction naming no message of
    ours is about: the one at the bank; for a return, else the one last paid; else the last."""
    at_bank = [i for i in items if i.open]
    if at_bank:
        return at_bank[:1]
    if outcome in NEGATIVE:
        paid = [i for i in items if i.outcome is ItemOutcome.PAID]
        if paid:
            return paid[-1:]
    return list(items[-1:])


def told_already(tx: BankTransaction, history: Sequence[ReceiptEvent], actor: str) -> ReceiptEvent | None:
    """The entry of the receipt's history that is this transaction's move, reported before by a bank
    file (the same move, day and reason), if any."""
    if tx.on is None:
        return None
    move = EventType.RETURNED if tx.outcome in NEGATIVE else EventType.PAID
    return next(
        (
            e
            for e in history
            if e.actor == actor and e.type is move and e.on == tx.on and e.reason == tx.reason
        ),
        None,
    )


@dataclass(frozen=True, slots=True)
class BatchItems:
    """The items a batch booked as one sum is about, or none and why."""

    items: tuple[RemittanceItem, ...]
    why: str | None = None


def batch_items(
    open_items: Sequence[RemittanceItem], sequence: SequenceType | None, tx: BankTransaction
) -> BatchItems:
    """The items still at the bank that a batch is about: those of its block (`sequence`), or of the
    whole remittance, or of one of its blocks — whichever holds the sum the bank booked (the count,
    when no sum is given). None when no such set is at the bank: which transactions the bank booked it
    does not say, and a wrong guess would tell residents they paid."""
    scope = [i for i in open_items if sequence is None or i.sequence_type is sequence]
    if not scope:
        return BatchItems((), "every transaction of it has its outcome already")
    choices = [scope]
    if sequence is None:
        choices += [[i for i in scope if i.sequence_type is kind] for kind in SequenceType]
    for items in choices:
        if items and _fits(items, tx):
            return BatchItems(tuple(items))
    booked = [f"{tx.count} transactions" if tx.count is not None else None]
    booked += [f"{from_cents(tx.amount_cents)}" if tx.amount_cents is not None else None]
    return BatchItems(
        (),
        f"the bank booked {' for '.join(b for b in booked if b)} as one sum, but {len(scope)} for "
        f"{from_cents(sum(i.amount_cents for i in scope))} are at the bank: which ones it does not say; "
        "they move when a file lists them (or reports the others)",
    )


def _fits(items: Sequence[RemittanceItem], tx: BankTransaction) -> bool:
    if tx.amount_cents is not None:
        return sum(i.amount_cents for i in items) == tx.amount_cents
    return tx.count is None or tx.count == len(items)
