"""The relay with many events to a message (a publish's receipts, committed together): each handler runs
once for all of them in one transaction; when it fails on the lot, the events are handed over one by one,
so a bad event holds back no other; events already dispatched are left alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

import pytest

from prorata.application.relay import AfterCommit, Handler, dispatch_all
from prorata.domain.events import DomainEvent, ImportEnded
from prorata.domain.ports.outbox import StoredEvent
from prorata.domain.ports.unit_of_work import UnitOfWork
from tests.unit.test_relay import NOW, FakeOutbox, FakeUnitOfWork, FixedClock


@dataclass
class FakeBatchOutbox(FakeOutbox):
    def get_all(self, ids: list[str]) -> list[StoredEvent]:
        return [self.events[id] for id in sorted(ids) if id in self.events]

    def mark_all_handled(self, ids: list[str], handler: str) -> set[str]:
        return {id for id in ids if self.mark_handled(id, handler)}

    def mark_all_dispatched(self, ids: list[str], now: datetime) -> None:
        for id in ids:
            self.mark_dispatched(id, now)


class FakeBatchUnitOfWork(FakeUnitOfWork):
    def __enter__(self) -> FakeBatchUnitOfWork:
        self.pending = FakeBatchOutbox(dict(self.stored.events), set(self.stored.handled))
        self.outbox = self.pending
        return self


def stored(outbox: FakeOutbox, count: int) -> list[str]:
    for n in range(count):
        outbox.events[f"e{n}"] = StoredEvent(f"e{n}", ImportEnded("t1", f"i{n}", "settled"), NOW)
    return sorted(outbox.events)


def relay_all(outbox: FakeOutbox, handlers: list[Handler], ids: list[str]) -> int:
    return dispatch_all(lambda: cast(UnitOfWork, FakeBatchUnitOfWork(outbox)), FixedClock(), handlers, ids)


def test_each_handler_runs_once_for_all_the_events_in_one_transaction() -> None:
    outbox, calls = FakeBatchOutbox(), list[list[str]]()
    ids = stored(outbox, 5)

    def run_all(uow: UnitOfWork, events: Sequence[StoredEvent]) -> AfterCommit:
        calls.append([e.id for e in events])
        return None

    assert relay_all(outbox, [Handler("all", (ImportEnded,), run_all=run_all)], ids) == 5
    assert calls == [ids]
    assert all(outbox.events[id].dispatched_at == NOW for id in ids)
    assert relay_all(outbox, [Handler("all", (ImportEnded,), run_all=run_all)], ids) == 0  # left alone
    assert calls == [ids]


def test_a_bad_event_holds_back_no_other_and_is_tried_again_alone() -> None:
    outbox, runs = FakeBatchOutbox(), list[str]()
    ids = stored(outbox, 4)

    def picky(uow: UnitOfWork, event: DomainEvent) -> AfterCommit:
        assert isinstance(event, ImportEnded)
        if event.import_id == "i2":
            raise RuntimeError("a record it needs is gone")
        runs.append(event.import_id)
        return None

    with pytest.raises(RuntimeError):
        relay_all(outbox, [Handler("picky", (ImportEnded,), picky)], ids)
    assert runs == ["i0", "i1", "i0", "i1", "i3"]  # the lot, rolled back at i2; then one by one
    assert outbox.handled == {("e0", "picky"), ("e1", "picky"), ("e3", "picky")}
    assert [id for id in ids if outbox.events[id].dispatched_at is None] == ["e2"]


def test_an_event_handled_already_by_a_racing_relay_is_not_handled_twice() -> None:
    outbox, seen = FakeBatchOutbox(), list[str]()
    ids = stored(outbox, 3)
    outbox.handled.add(("e1", "all"))  # another relay's transaction marked it first
    outbox.events["e0"] = replace(outbox.events["e0"], dispatched_at=NOW)

    def run_all(uow: UnitOfWork, events: Sequence[StoredEvent]) -> AfterCommit:
        seen.extend(e.id for e in events)
        return None

    relay_all(outbox, [Handler("all", (ImportEnded,), run_all=run_all)], ids)
    assert seen == ["e2"]
