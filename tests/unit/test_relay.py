"""The relay on a fake outbox: each handler of an event runs once however often the event is delivered,
a failing handler is run again with the event without running the others twice, and a dispatched event
is left alone."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, cast

import pytest

from prorata.application.relay import AfterCommit, Handler, dispatch
from prorata.domain.events import DomainEvent, ImportEnded, SettlementCreated
from prorata.domain.ports.outbox import StoredEvent
from prorata.domain.ports.unit_of_work import UnitOfWork

NOW = datetime(2026, 12, 1, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class FakeOutbox:
    """The outbox's rows, and which handlers ran for which event, as the database would keep them."""

    events: dict[str, StoredEvent] = field(default_factory=dict)
    handled: set[tuple[str, str]] = field(default_factory=set)

    def get(self, id: str) -> StoredEvent | None:
        return self.events.get(id)

    def mark_handled(self, id: str, handler: str) -> bool:
        if (id, handler) in self.handled:
            return False
        self.handled.add((id, handler))
        return True

    def mark_dispatched(self, id: str, now: datetime) -> None:
        self.events[id] = replace(self.events[id], dispatched_at=now)


@dataclass
class FakeUnitOfWork:
    """Commits a handler's writes (here: its mark) only when it commits; a failure rolls them back."""

    stored: FakeOutbox
    outbox: Any = None
    pending: FakeOutbox | None = None

    def __enter__(self) -> Self:
        self.pending = FakeOutbox(dict(self.stored.events), set(self.stored.handled))
        self.outbox = self.pending
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.pending = None

    def commit(self) -> None:
        assert self.pending is not None
        self.stored.events, self.stored.handled = dict(self.pending.events), set(self.pending.handled)


def stored_event(outbox: FakeOutbox, event: DomainEvent) -> str:
    outbox.events["e1"] = StoredEvent("e1", event, NOW)
    return "e1"


def relay(outbox: FakeOutbox, handlers: list[Handler], event_id: str) -> bool:
    return dispatch(lambda: cast(UnitOfWork, FakeUnitOfWork(outbox)), FixedClock(), handlers, event_id)


def counting(name: str, runs: list[str], kinds: tuple[type[DomainEvent], ...] = (ImportEnded,)) -> Handler:
    def run(uow: UnitOfWork, event: DomainEvent) -> AfterCommit:
        runs.append(name)
        return None

    return Handler(name, kinds, run)


def test_an_event_delivered_three_times_runs_each_handler_once() -> None:
    outbox, runs = FakeOutbox(), list[str]()
    id = stored_event(outbox, ImportEnded("t1", "i1", "settled"))
    handlers = [counting("a", runs), counting("b", runs), counting("c", runs, (SettlementCreated,))]
    assert relay(outbox, handlers, id)
    assert not relay(outbox, handlers, id)  # dispatched: left alone
    outbox.events[id] = replace(outbox.events[id], dispatched_at=None)  # as if the mark had been lost
    relay(outbox, handlers, id)
    assert runs == ["a", "b"]


def test_a_failing_handler_runs_again_with_the_event_and_the_others_do_not() -> None:
    outbox, runs = FakeOutbox(), list[str]()
    id = stored_event(outbox, ImportEnded("t1", "i1", "failed"))
    failures = [RuntimeError("disk full")]

    def flaky(uow: UnitOfWork, event: DomainEvent) -> AfterCommit:
        runs.append("flaky")
        if failures:
            raise failures.pop()
        return None

    handlers = [counting("first", runs), Handler("flaky", (ImportEnded,), flaky), counting("last", runs)]
    with pytest.raises(RuntimeError):
        relay(outbox, handlers, id)
    assert outbox.events[id].dispatched_at is None
    assert relay(outbox, handlers, id)
    assert runs == ["first", "flaky", "flaky", "last"]
    assert outbox.events[id].dispatched_at == NOW


def test_what_a_handler_leaves_for_after_commit_runs_after_it() -> None:
    outbox, order = FakeOutbox(), list[str]()
    id = stored_event(outbox, SettlementCreated("t1", "s1", "c1", "heating", False))

    def waking(uow: UnitOfWork, event: DomainEvent) -> AfterCommit:
        order.append("handled")
        return lambda: order.append(f"woken with {len(outbox.handled)} handled")

    relay(outbox, [Handler("wake", (SettlementCreated,), waking)], id)
    assert order == ["handled", "woken with 1 handled"]
