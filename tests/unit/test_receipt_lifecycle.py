"""The receipt lifecycle: every move from every status, legal or not, and what a move records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from prorata.domain.events import ReceiptMoved
from prorata.domain.receipts.lifecycle import (
    FINAL,
    InvalidEvent,
    InvalidTransition,
    ReceiptStatus,
    next_status,
)
from prorata.domain.receipts.lifecycle import EventType as E
from prorata.domain.receipts.lifecycle import ReceiptStatus as S
from prorata.domain.receipts.receipt import (
    IssuedReceipt,
    Move,
    due_date,
    issue_event,
    move,
    superseded,
    told,
)

NOW = datetime(2026, 4, 10, 9, 30, tzinfo=UTC)
ISSUED_ON = date(2026, 4, 1)
RECEIPT = IssuedReceipt(
    "r1", "t1", "s1", "u1", "C0012-00001-0001", 54000, "EUR", {}, S.ISSUED, ISSUED_ON, date(2026, 4, 16),
    ISSUED_ON, 1,
)  # fmt: skip

LEGAL = {
    (S.ISSUED, E.PRESENTED): S.IN_COLLECTION,
    (S.ISSUED, E.PAID): S.PAID,
    (S.ISSUED, E.CANCELLED): S.CANCELLED,
    (S.ISSUED, E.SUPERSEDED): S.SUPERSEDED,
    (S.IN_COLLECTION, E.PAID): S.PAID,
    (S.IN_COLLECTION, E.RETURNED): S.RETURNED,
    (S.IN_COLLECTION, E.SUPERSEDED): S.SUPERSEDED,
    (S.IN_COLLECTION, E.WITHDRAWN): S.ISSUED,
    (S.PAID, E.RETURNED): S.RETURNED,
    (S.RETURNED, E.REPRESENTED): S.IN_COLLECTION,
    (S.RETURNED, E.PAID): S.PAID,
    (S.RETURNED, E.CANCELLED): S.CANCELLED,
    (S.RETURNED, E.SUPERSEDED): S.SUPERSEDED,
}
ILLEGAL = [(status, event) for status in S for event in E if (status, event) not in LEGAL]


def at(status: ReceiptStatus, version: int = 2) -> IssuedReceipt:
    return replace(RECEIPT, status=status, version=version)


@pytest.mark.parametrize(("status", "event"), list(LEGAL), ids=lambda x: x.value)
def test_a_legal_move_gives_the_next_status_and_one_more_history_entry(
    status: ReceiptStatus, event: E
) -> None:
    moved, entry = move(at(status), Move(event, date(2026, 4, 5), "manager"), "e1", NOW)
    assert moved.status is entry.status is LEGAL[(status, event)]
    assert (moved.version, entry.seq) == (3, 3)
    assert moved.status_on == entry.on == date(2026, 4, 5)
    assert (entry.type, entry.actor, entry.recorded_at, entry.receipt_id) == (event, "manager", NOW, "r1")


@pytest.mark.parametrize(("status", "event"), ILLEGAL, ids=lambda x: x.value)
def test_an_illegal_move_is_refused_naming_the_current_status(status: ReceiptStatus, event: E) -> None:
    with pytest.raises(InvalidTransition) as refused:
        move(at(status), Move(event, date(2026, 4, 5), "manager"), "e1", NOW)
    assert refused.value.status is status
    assert refused.value.code == "invalid_transition"
    assert status.value in str(refused.value)


def test_the_illegal_set_is_what_the_lifecycle_says() -> None:
    # Nothing is ever issued twice; final statuses move no more; only a return is presented again.
    assert all((s, E.ISSUED) in ILLEGAL for s in S)
    assert all((s, e) in ILLEGAL for s in FINAL for e in E)
    assert (S.ISSUED, E.REPRESENTED) in ILLEGAL
    assert (S.RETURNED, E.PRESENTED) in ILLEGAL
    assert (S.IN_COLLECTION, E.CANCELLED) in ILLEGAL
    assert len(ILLEGAL) == len(S) * len(E) - 13


def test_a_refusal_says_what_may_happen_instead() -> None:
    with pytest.raises(InvalidTransition, match="presented, paid, cancelled"):
        next_status(S.ISSUED, E.RETURNED)
    with pytest.raises(InvalidTransition, match="final"):
        next_status(S.CANCELLED, E.RETURNED)
    with pytest.raises(InvalidTransition, match="it may be returned"):
        next_status(S.PAID, E.PAID)


def test_a_full_path_through_collection_and_a_return() -> None:
    receipt, history = RECEIPT, []
    for event, day, reason in (
        (E.PRESENTED, 2, None),
        (E.RETURNED, 6, "am04"),
        (E.REPRESENTED, 8, None),
        (E.PAID, 9, None),
    ):
        receipt, entry = move(receipt, Move(event, date(2026, 4, day), "bank", reason), f"e{day}", NOW)
        history.append(entry)
    assert [(e.seq, e.status) for e in history] == [
        (2, S.IN_COLLECTION),
        (3, S.RETURNED),
        (4, S.IN_COLLECTION),
        (5, S.PAID),
    ]
    assert history[1].reason == "AM04"
    assert (receipt.status, receipt.status_on, receipt.version) == (S.PAID, date(2026, 4, 9), 5)


def test_a_move_dated_before_the_last_change_is_refused_on_its_date() -> None:
    moved = replace(RECEIPT, status=S.IN_COLLECTION, status_on=date(2026, 4, 5), version=2)
    with pytest.raises(InvalidEvent, match="before") as refused:
        move(moved, Move(E.PAID, date(2026, 4, 4), "manager"), "e1", NOW)
    assert refused.value.field == "on"
    same_day, _ = move(moved, Move(E.PAID, date(2026, 4, 5), "manager"), "e1", NOW)
    assert same_day.status is S.PAID


def test_a_move_dated_in_the_future_is_refused_but_today_anywhere_on_earth_is_not() -> None:
    # 23:30 UTC is already the next day east of UTC: a payment reported in Madrid at 00:30 is accepted.
    late = datetime(2026, 4, 10, 23, 30, tzinfo=UTC)
    tomorrow = date(2026, 4, 11)
    assert move(RECEIPT, Move(E.PAID, tomorrow, "manager"), "e1", late)[0].status_on == tomorrow
    with pytest.raises(InvalidEvent, match="future") as refused:
        move(RECEIPT, Move(E.PAID, date(2026, 4, 12), "manager"), "e1", late)
    assert refused.value.field == "on"
    with pytest.raises(InvalidEvent, match="future"):
        move(RECEIPT, Move(E.PAID, NOW.date() + timedelta(days=2), "manager"), "e1", NOW)


@pytest.mark.parametrize("reason", ["AM0", "AM045", "AM-4", "", "ÁM04"])
def test_a_reason_that_is_no_iso_20022_code_is_refused_on_its_field(reason: str) -> None:
    at_bank = at(S.IN_COLLECTION)
    with pytest.raises(InvalidEvent) as refused:
        move(at_bank, Move(E.RETURNED, date(2026, 4, 5), "bank", reason), "e1", NOW)
    assert refused.value.field == "reason"


def test_a_reason_is_kept_in_capitals_and_a_note_as_written() -> None:
    _, entry = move(at(S.IN_COLLECTION), Move(E.RETURNED, ISSUED_ON, "bank", " md06 ", "Refund"), "e", NOW)
    assert (entry.reason, entry.note) == ("MD06", "Refund")
    with pytest.raises(InvalidEvent) as refused:
        move(at(S.IN_COLLECTION), Move(E.RETURNED, ISSUED_ON, "bank", None, "x" * 501), "e", NOW)
    assert refused.value.field == "note"


def test_an_illegal_move_is_refused_before_its_date_is_looked_at() -> None:
    with pytest.raises(InvalidTransition):
        move(at(S.PAID), Move(E.PAID, date(2020, 1, 1), "manager"), "e1", NOW)


def test_the_issue_is_the_first_entry_and_each_entry_tells_the_outbox() -> None:
    entry = issue_event(RECEIPT, "e0", "manager", NOW)
    assert (entry.seq, entry.type, entry.status, entry.on) == (1, E.ISSUED, S.ISSUED, ISSUED_ON)
    assert told(entry) == ReceiptMoved("t1", "r1", "e0", "issued", "issued", "2026-04-01", None)
    _, returned = move(at(S.IN_COLLECTION), Move(E.RETURNED, ISSUED_ON, "bank", "AC04"), "e3", NOW)
    assert told(returned) == ReceiptMoved("t1", "r1", "e3", "returned", "returned", "2026-04-01", "AC04")


def test_a_correction_supersedes_even_a_receipt_whose_last_move_is_dated_ahead_of_utc() -> None:
    late = datetime(2026, 4, 10, 23, 40, tzinfo=UTC)
    ahead = replace(RECEIPT, status=S.RETURNED, status_on=date(2026, 4, 11), version=3)
    replaced, entry = superseded(ahead, "e4", late)
    assert (replaced.status, entry.on, entry.actor) == (S.SUPERSEDED, date(2026, 4, 11), "prorata")


def test_a_receipt_falls_due_its_communitys_days_after_issue_or_fifteen() -> None:
    assert due_date(ISSUED_ON, None) == date(2026, 4, 16)
    assert due_date(ISSUED_ON, 0) == ISSUED_ON
    assert due_date(ISSUED_ON, 30) == date(2026, 5, 1)
