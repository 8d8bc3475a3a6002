"""Driving the session's worker to the end of everything queued, and telling what it could not do."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from prorata.adapters.dramatiq_queue import EVENTS, QUEUE
from prorata.config.bootstrap import Components
from tests.hostile.findings import KNOWN


def drain(components: Components, worker: dramatiq.Worker) -> None:
    """Wait until every queued import and event is done — retries included — without stopping at the
    first that raised (`DeadLetters` tells which did). Not `worker.join()`, which also waits for every
    delayed retry of a webhook delivery or a notification (tests/integration/conftest.py's drain)."""
    broker = components.broker
    assert isinstance(broker, StubBroker)
    assert worker.consumers, "the worker is running"
    while True:
        broker.join(QUEUE, fail_fast=False)
        broker.join(EVENTS, fail_fast=False)
        if all(broker.queues[q].unfinished_tasks == 0 for q in (QUEUE, EVENTS)):
            return


class DeadLetters:
    """The messages dead-lettered (every delivery raised) from now on — taken off the broker when read,
    as they would fail every later `join(fail_fast=True)` of the session."""

    def __init__(self, components: Components) -> None:
        broker = components.broker
        assert isinstance(broker, StubBroker)
        self.queues = broker.dead_letters_by_queue
        self.before = {id(m) for queue in (QUEUE, EVENTS) for m in self.queues[queue]}

    def take(self, queue: str) -> dict[str, str]:
        """The new dead letters of `queue`: each message's first argument (an import's or an event's
        id), with what its last delivery raised."""
        dead = self.queues[queue]
        new = [m for m in dead if id(m) not in self.before]
        for message in new:
            dead.remove(message)  # in place: the worker's consumers hold this very list
        return {
            str(m.args[0] if m.args else m.message_id): repr(getattr(m, "_exception", None))[:300]
            for m in new
        }


def judge(request: pytest.FixtureRequest, wrong: Sequence[str], database: str | None = None) -> None:
    """Fail on anything wrong. When everything wrong is a known finding awaiting its fix (findings.py),
    the test is marked xfail (strict=False) with the fix's reason instead: it still runs every time, and
    simply passes once the fix lands — the entry in findings.py is then to be removed."""
    awaited = [f for f in KNOWN if not f.databases or database in f.databases]
    unknown = [w for w in wrong if not any(re.search(f.pattern, w) for f in awaited)]
    if wrong and not unknown:
        reasons = sorted({f.reason for f in awaited for w in wrong if re.search(f.pattern, w)})
        request.applymarker(pytest.mark.xfail(strict=False, reason="; ".join(reasons)))
    assert not wrong, "\n".join(wrong[:40])


T = TypeVar("T")


@dataclass
class Through(Generic[T]):
    """What the corpus left going through one way in: a record per file, by the file's kind, and the
    events every delivery of which raised (event id -> what its last delivery raised)."""

    by_kind: dict[str, list[T]]
    events_raised: dict[str, str]

    @classmethod
    def of(cls, records: Iterable[T], kind: Callable[[T], str], events_raised: dict[str, str]) -> Through[T]:
        by_kind: dict[str, list[T]] = defaultdict(list)
        for record in records:
            by_kind[kind(record)].append(record)
        return cls(by_kind, events_raised)

    def unhandled_events(self) -> list[str]:
        return [f"event {event}: every delivery raised {why}" for event, why in self.events_raised.items()]


def database_of(components: Components) -> str:
    return str(components.engine.dialect.name)
