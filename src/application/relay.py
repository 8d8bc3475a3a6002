"""Use case: hand a stored event to its handlers — each exactly once, however often it is delivered.

Each handler runs in a transaction of its own that also records (event, handler) under a primary key, so a
redelivered event, or two relays racing, run no handler twice; a handler that fails rolls back alone and
is tried again with the event. The event is marked dispatched once every handler has run.

Events committed together (a publish's 10,000 receipts issued) are relayed many to a transaction:
`dispatch_all` runs each handler once for all of them (`Handler.run_all`, or `run` for each), and when a
handler fails on the lot, hands the events to `dispatch` one by one, so that one bad event holds back
no other."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prorata.domain.events import DomainEvent
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.outbox import StoredEvent
from prorata.domain.ports.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
# What a handler leaves to do once its transaction is committed (waking a worker), or None.
AfterCommit = Callable[[], None] | None


@dataclass(frozen=True, slots=True)
class Handler:
    """`run` handles one event; `run_all`, when given, many in one transaction (and one: `run` is then
    not used)."""

    name: str  # kept with each event it handled: never rename one that has run
    handles: tuple[type[DomainEvent], ...]
    run: Callable[[UnitOfWork, DomainEvent], AfterCommit] | None = None
    run_all: Callable[[UnitOfWork, Sequence[StoredEvent]], AfterCommit] | None = None

    def handle(self, uow: UnitOfWork, stored: Sequence[StoredEvent]) -> AfterCommit:
        if self.run_all is not None:
            return self.run_all(uow, stored)
        assert self.run is not None
        run = self.run
        return in_turn([run(uow, item.event) for item in stored])


def in_turn(afters: Sequence[AfterCommit]) -> AfterCommit:
    """What several handlers' runs left to do after commit, as one."""
    due = [after for after in afters if after is not None]
    if not due:
        return None

    def run() -> None:
        for after in due:
            after()

    return run


def dispatch(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, handlers: Sequence[Handler], event_id: str
) -> bool:
    """Run the event's handlers that have not run yet; False when there is no such event to dispatch."""
    with unit_of_work() as uow:
        stored = uow.outbox.get(event_id)
    if stored is None or stored.dispatched_at is not None:
        return False
    for handler in handlers:
        if not isinstance(stored.event, handler.handles):
            continue
        with unit_of_work() as uow:
            if not uow.outbox.mark_handled(event_id, handler.name):
                continue
            after = handler.handle(uow, [stored])
            uow.commit()
        if after is not None:
            after()
    with unit_of_work() as uow:
        uow.outbox.mark_dispatched(event_id, clock.now())
        uow.commit()
    log.debug("event %s (%s) dispatched", event_id, type(stored.event).__name__)
    return True


def dispatch_all(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, handlers: Sequence[Handler], event_ids: list[str]
) -> int:
    """`dispatch` for many events: a transaction per handler for all of them, not per event. A handler
    that fails on the lot is run again event by event, by `dispatch`; the first failure of those is
    raised once every event has been tried. Returns how many events were dispatched here."""
    with unit_of_work() as uow:
        pending = [s for s in uow.outbox.get_all(event_ids) if s.dispatched_at is None]
    if not pending:
        return 0
    if len(pending) == 1:
        return int(dispatch(unit_of_work, clock, handlers, pending[0].id))
    for handler in handlers:
        mine = [s for s in pending if isinstance(s.event, handler.handles)]
        if not mine:
            continue
        try:
            with unit_of_work() as uow:
                marked = uow.outbox.mark_all_handled([s.id for s in mine], handler.name)
                after = handler.handle(uow, [s for s in mine if s.id in marked]) if marked else None
                uow.commit()
        except Exception:
            log.warning(
                "handler %s failed on %d events; handing them over one by one", handler.name, len(mine)
            )
            return _one_by_one(unit_of_work, clock, handlers, [s.id for s in pending])
        if after is not None:
            after()
    with unit_of_work() as uow:
        uow.outbox.mark_all_dispatched([s.id for s in pending], clock.now())
        uow.commit()
    log.debug("%d events dispatched", len(pending))
    return len(pending)


def _one_by_one(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, handlers: Sequence[Handler], event_ids: list[str]
) -> int:
    failures: list[Exception] = []
    done = 0
    for event_id in event_ids:
        try:
            done += dispatch(unit_of_work, clock, handlers, event_id)
        except Exception as error:
            failures.append(error)
    if failures:
        raise failures[0]
    return done
