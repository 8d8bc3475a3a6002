"""Finding, for each transaction of a bank file, the tenant's remittance items it reports on — in a few
queries for the whole file, whatever its size: the remittances its message ids name in one, each such
remittance's items in one, the items of the receipt numbers named without a message of ours in one
per 500 numbers. Moves made while the file is applied are kept here too, so that a later transaction
of the same file sees them. The rules are domain.collection.matching's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from prorata.domain.collection.bank_report import BankReport, BankTransaction
from prorata.domain.collection.matching import (
    BatchItems,
    batch_items,
    latest_of_number,
    numbered,
    our_block,
    our_message,
    told_already,
)
from prorata.domain.collection.remittance import Remittance, RemittanceItem
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.lifecycle import ReceiptEvent

CHUNK = 500


@dataclass(frozen=True, slots=True)
class Found:
    """The items a transaction is about; or none (`unknown`), or why there is nothing to do."""

    items: tuple[RemittanceItem, ...] = ()
    why: str | None = None
    unknown: bool = False


class ItemFinder:
    def __init__(self, uow: UnitOfWork, tenant: str, report: BankReport, actor: str) -> None:
        self.uow, self.tenant, self.actor = uow, tenant, actor
        self._items: dict[str, RemittanceItem] = {}
        self._of_remittance: dict[str, list[str]] = {}
        self._of_number: dict[str, list[str]] = defaultdict(list)
        self._remittances = self._named(report.transactions)
        self._numbers(report.transactions)

    def transaction(self, tx: BankTransaction) -> Found:
        """The item a transaction names by its EndToEndId: in the remittance its message id names, or
        none of it; without a message of ours (when it may be the bank's own), the number's item."""
        assert tx.end_to_end_id is not None
        number = tx.end_to_end_id.strip()
        remittance = self._remittance_of(tx)
        if remittance is not None:
            return self._found(numbered(self.items_of(remittance), number))
        if tx.message_id and tx.message_certain:
            return Found(unknown=True)  # a report on another message: not a remittance of ours
        items = [self._items[i] for i in self._of_number.get(number, ())]
        if len({i.remittance_id for i in items}) > 1:
            told = told_already(tx, self._history(items[0].receipt_id), self.actor)
            if told is not None:
                return Found(
                    (items[-1],),
                    f"reported already: the receipt's history has it on {told.on.isoformat()} (a copy "
                    "or correction of an earlier file); the receipt was presented again since",
                )
        return self._found(latest_of_number(items, tx.outcome) if items else [])

    def batch(self, tx: BankTransaction) -> Found:
        """The items still at the bank of a remittance (or of its block) booked or rejected whole."""
        remittance = self._remittance_of(tx)
        if remittance is None:
            return Found(unknown=True)
        block = our_block(tx.payment_information_id)
        sequence = block[1] if block is not None and self.remittance(block[0]) is remittance else None
        at_bank = [i for i in self.items_of(remittance) if i.open]
        chosen: BatchItems = batch_items(at_bank, sequence, tx)
        return Found(chosen.items, chosen.why)

    def remittance(self, message: str | None) -> Remittance | None:
        return self._remittances.get(our_message(message) or "")

    def _remittance_of(self, tx: BankTransaction) -> Remittance | None:
        """The remittance of ours the transaction's message id names, else its block id (a bank's
        portal may have given the file a MsgId of its own, keeping our PmtInfId)."""
        block = our_block(tx.payment_information_id)
        return self.remittance(tx.message_id) or (self.remittance(block[0]) if block else None)

    def items_of(self, remittance: Remittance) -> list[RemittanceItem]:
        if remittance.id not in self._of_remittance:
            found = self.uow.remittance_items.list(self.tenant, remittance_id=remittance.id).items
            self._keep(found)
            self._of_remittance[remittance.id] = [i.id for i in found]
        return [self._items[i] for i in self._of_remittance[remittance.id]]

    def moved(self, item: RemittanceItem) -> None:
        """An item this file changed: later transactions see it as it is now."""
        self._items[item.id] = item

    def _found(self, items: Sequence[RemittanceItem]) -> Found:
        return Found(tuple(items)) if items else Found(unknown=True)

    def _named(self, transactions: Iterable[BankTransaction]) -> dict[str, Remittance]:
        messages = {our_message(t.message_id) for t in transactions}
        messages |= {b[0] for b in (our_block(t.payment_information_id) for t in transactions) if b}
        wanted = sorted(m for m in messages if m)
        found: dict[str, Remittance] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            found |= {r.message_id: r for r in self.uow.remittances.list(self.tenant, message_id=chunk).items}
        return found

    def _numbers(self, transactions: Iterable[BankTransaction]) -> None:
        """The items of every receipt number named without a message of ours, in one query a chunk."""
        wanted = sorted(
            {
                t.end_to_end_id.strip()
                for t in transactions
                if t.end_to_end_id and self._remittance_of(t) is None
                and not (t.message_id and t.message_certain)
            }
        )  # fmt: skip
        for start in range(0, len(wanted), CHUNK):
            found = self.uow.remittance_items.list(
                self.tenant, end_to_end_id=wanted[start : start + CHUNK]
            ).items
            self._keep(found)
            for item in found:
                self._of_number[item.end_to_end_id].append(item.id)

    def _keep(self, items: Iterable[RemittanceItem]) -> None:
        for item in items:
            self._items.setdefault(item.id, item)

    def _history(self, receipt_id: str) -> list[ReceiptEvent]:
        return self.uow.receipt_events.list(self.tenant, receipt_id=receipt_id).items
