"""Use case: hand a stored event to its handlers — each exactly once, however often it is delivered.

Each handler runs in a transaction of its own that also records (event, handler) under a primary key, so a
redelivered event, or two relays racing, run no handler twice; a handler that fails rolls back alone and
is tried again with the event. The event is marked dispatched once every handler has run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prorata.domain.events import DomainEvent
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
# What a handler leaves to do once its transaction is committed (waking a worker), or None.
AfterCommit = Callable[[], None] | None


@dataclass(frozen=True, slots=True)
class Handler:
    name: str  # kept with each event it handled: never rename one that has run
    handles: tuple[type[DomainEvent], ...]
    run: Callable[[UnitOfWork, DomainEvent], AfterCommit]


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
            after = handler.run(uow, stored.event)
            uow.commit()
        if after is not None:
            after()
    with unit_of_work() as uow:
        uow.outbox.mark_dispatched(event_id, clock.now())
        uow.commit()
    log.debug("event %s (%s) dispatched", event_id, type(stored.event).__name__)
    return True
