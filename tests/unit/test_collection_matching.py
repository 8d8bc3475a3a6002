"""Which remittance items a bank's transaction is about: our message and block ids in any case, a
receipt number in any case within its remittance, a move a bank file told already, and a remittance
booked as one sum paid only where the sum is the items'."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from prorata.domain.collection.bank_report import BankOutcome, BankTransaction
from prorata.domain.collection.matching import batch_items, numbered, our_block, our_message, told_already
from prorata.domain.collection.remittance import RemittanceItem, SequenceType
from prorata.domain.collection.rules import message_id, payment_information_id
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent, ReceiptStatus

OURS = message_id(7, "01a231ec-edfa-70bf-9e60-9c03204ed08f")


def item(number: str = "C1-00001-0001", cents: int = 100, sequence: SequenceType = SequenceType.FRST,
         receipt: str = "r1") -> RemittanceItem:  # fmt: skip
    return RemittanceItem(
        f"i-{number}-{receipt}", "t", "rem", receipt, number, cents, sequence, "p", "Rosa", "ES74…", "M-1",
        date(2024, 5, 1), "text", "e1",
    )  # fmt: skip


@pytest.mark.parametrize("given", [OURS, OURS.upper(), f"  {OURS.upper()} ", OURS.lower()])
def test_our_message_id_is_found_in_any_case_a_bank_gives_it_back(given: str) -> None:
    assert our_message(given) == OURS


def test_a_block_id_of_ours_names_its_message_and_sequence_and_another_id_names_nothing() -> None:
    block = payment_information_id(OURS, SequenceType.RCUR)
    assert our_block(block.lower()) == (OURS, SequenceType.RCUR)
    assert (our_block(OURS), our_block("LOTE-2026-11-FRST"), our_message("LOTE-1")) == (None, None, "LOTE-1")


def test_a_receipt_number_in_another_case_is_its_item_unless_two_receipts_differ_only_by_case() -> None:
    rosa, other = item("c1-00001-0001"), item("C1-00001-0001", receipt="r2")
    assert numbered([rosa], "C1-00001-0001") == [rosa]
    assert numbered([rosa, other], "C1-00001-0001") == [other]  # the exact one first
    lower, upper = item("cm-00001-0001"), item("CM-00001-0001", receipt="r2")
    assert numbered([lower, upper], "Cm-00001-0001") == []  # which of the two?
    assert numbered([rosa], "C1-00001-0002") == []


def test_a_move_told_before_by_a_bank_the_same_day_with_the_same_reason_is_found() -> None:
    def entry(type: EventType, on: date, reason: str | None, actor: str = "bank") -> ReceiptEvent:
        return ReceiptEvent(
            "e", "t", "r1", 2, type, on, ReceiptStatus.RETURNED, actor, datetime.now(UTC), reason
        )

    day = date(2026, 12, 1)
    returned = BankTransaction(BankOutcome.RETURNED, "BOOK", "C1", on=day, reason="AM04")
    history = [
        entry(EventType.RETURNED, day, "AM04", actor="manager"),
        entry(EventType.RETURNED, day, "AM04"),
    ]
    assert told_already(returned, history, "bank") is history[1]
    assert told_already(replace(returned, reason="MS02"), history, "bank") is None
    assert told_already(replace(returned, on=date(2026, 12, 2)), history, "bank") is None
    assert told_already(replace(returned, outcome=BankOutcome.BOOKED, reason=None), history, "bank") is None


def test_a_batch_pays_the_items_whose_sum_it_booked_and_none_when_no_set_of_them_has_it() -> None:
    frst, rcur = item("N-1", 54000), item("N-2", 38500, SequenceType.RCUR)
    booked = BankTransaction(BankOutcome.BOOKED, "BOOK", message_id=OURS)
    assert batch_items([frst, rcur], None, replace(booked, amount_cents=92500)).items == (frst, rcur)
    assert batch_items([frst, rcur], None, replace(booked, amount_cents=38500)).items == (rcur,)  # its block
    assert batch_items([frst, rcur], SequenceType.FRST, replace(booked, amount_cents=54000)).items == (frst,)
    assert batch_items([frst, rcur], None, replace(booked, count=2)).items == (frst, rcur)
    assert batch_items([frst, rcur], None, booked).items == (frst, rcur)  # the bank says nothing more
    unsure = batch_items([frst, rcur], None, replace(booked, amount_cents=50000, count=1))
    assert unsure.items == ()
    assert unsure.why is not None
    assert all(said in unsure.why for said in ("1 transactions", "500.00", "2 for 925.00"))
    done = batch_items([], None, booked)
    assert (done.items, done.why) == ((), "every transaction of it has its outcome already")
