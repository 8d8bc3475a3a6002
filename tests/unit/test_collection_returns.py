"""What a bank's reported outcome does to a receipt at the bank: rejected or returned → returned, booked
→ paid, refunded after payment → returned; the rest moves nothing, saying why."""

from __future__ import annotations

from datetime import date

import pytest

from prorata.domain.collection.bank_report import BankOutcome as B
from prorata.domain.collection.bank_report import BankTransaction
from prorata.domain.collection.remittance import ItemOutcome as O
from prorata.domain.collection.remittance import RemittanceItem, SequenceType
from prorata.domain.collection.returns import decide, event_day
from prorata.domain.receipts.lifecycle import EventType as E
from prorata.domain.receipts.lifecycle import ReceiptStatus as S


def item(open: bool | None = True, outcome: O | None = None) -> RemittanceItem:
    return RemittanceItem(
        "i", "t", "rem", "r", "N-1", 100, SequenceType.FRST, "p", "Rosa", "ES74…", "M-1", date(2024, 5, 1),
        "text", "e1", open=open, outcome=outcome,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("reported", "kept"), [(B.REJECTED, O.REJECTED), (B.RETURNED, O.RETURNED), (B.BOOKED, O.PAID)]
)
def test_an_outcome_for_a_receipt_at_the_bank_moves_it(reported: B, kept: O) -> None:
    decision = decide(reported, item(), S.IN_COLLECTION)
    assert decision.event is (E.PAID if reported is B.BOOKED else E.RETURNED)
    assert decision.outcome is kept


@pytest.mark.parametrize("reported", [B.REJECTED, B.RETURNED])
def test_a_refund_after_payment_returns_the_paid_receipt(reported: B) -> None:
    decision = decide(reported, item(open=None, outcome=O.PAID), S.PAID)
    assert (decision.event, decision.outcome) == (E.RETURNED, O.RETURNED)


@pytest.mark.parametrize(
    ("reported", "receipt_item", "status", "said"),
    [
        (B.ACCEPTED, item(), S.IN_COLLECTION, "accepted"),
        (B.PENDING, item(), S.IN_COLLECTION, "not booked"),
        (B.BOOKED, item(open=None, outcome=O.PAID), S.PAID, "paid already"),
        (B.REJECTED, item(open=None, outcome=O.REJECTED), S.RETURNED, "rejected already"),
        (B.RETURNED, item(open=None, outcome=O.RETURNED), S.RETURNED, "returned already"),
        (B.BOOKED, item(), S.SUPERSEDED, "superseded"),  # replaced by a correction meanwhile
        (B.BOOKED, item(open=None, outcome=O.WITHDRAWN), S.ISSUED, "withdrawn"),
        (B.RETURNED, item(), S.PAID, "no longer at the bank"),  # reported paid by other means
    ],
)
def test_an_outcome_with_nothing_to_do_moves_nothing_and_says_why(
    reported: B, receipt_item: RemittanceItem, status: S, said: str
) -> None:
    decision = decide(reported, receipt_item, status)
    assert decision.event is None
    assert decision.why is not None
    assert said in decision.why


def test_a_move_is_dated_by_the_bank_but_never_before_the_last_move_nor_after_today() -> None:
    tx = BankTransaction(B.BOOKED, "BOOK", "N-1", on=date(2026, 5, 4))
    assert event_day(tx, None, date(2026, 4, 20), date(2026, 5, 6)) == date(2026, 5, 4)
    assert event_day(tx, None, date(2026, 5, 5), date(2026, 5, 6)) == date(2026, 5, 5)
    assert event_day(tx, None, date(2026, 4, 20), date(2026, 5, 3)) == date(2026, 5, 3)
    undated = BankTransaction(B.REJECTED, "RJCT", "N-1")
    assert event_day(undated, date(2026, 4, 22), date(2026, 4, 20), date(2026, 5, 6)) == date(2026, 4, 22)
    assert event_day(undated, None, date(2026, 4, 20), date(2026, 5, 6)) == date(2026, 5, 6)
