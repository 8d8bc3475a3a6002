"""The shared rate limit, kept in the database: one row per limited sender holding its next free slot.
Taking slots is a short transaction holding that row, so processes on any number of machines share one
pace; the caller then sleeps until its slot (domain/notifications/pacing.py has the arithmetic). A sender
with many requests takes its slots in blocks, one transaction for many."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql import tables
from prorata.domain.notifications.pacing import (
    MICROS,
    Turn,
    Turns,
    block_size,
    lapsed,
    step_micros,
    take_turns,
)
from prorata.domain.ports.clock import Clock

_T = tables.send_paces


class SqlaPace:
    def __init__(
        self,
        engine: Engine,
        name: str,
        per_second: float,
        clock: Clock,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine, self.name, self.clock, self.sleep = engine, name, clock, sleep
        self.step = step_micros(per_second)
        # µs a request took lately in this process: a sender's first block is sized by it.
        self.per_request: float | None = None

    def wait_turn(self) -> float:
        wait = self.take().wait_seconds
        if wait > 0:
            self.sleep(wait)
        return wait

    def turns(self, count: int) -> Iterator[float]:
        slots: list[int] = []
        per_request = self.per_request  # µs the caller spends on a request, as measured so far
        given: float | None = None
        for left in range(count, 0, -1):
            if given is not None:
                spent = (time.monotonic() - given) * MICROS
                per_request = spent if per_request is None else (per_request + spent) / 2
                self.per_request = per_request
            while slots and lapsed(slots[0], self._now()):
                slots.pop(0)  # too late to leave on: given up, never used late
            if not slots:
                slots = self.take_block(block_size(left, per_request, self.step)).slots
            wait = max(0.0, (slots.pop(0) - self._now()) / MICROS)
            if wait > 0:
                self.sleep(wait)
            given = time.monotonic()
            yield wait

    def take(self) -> Turn:
        """Take the next slot (µs since the epoch), saying how long until it."""
        turns = self.take_block(1)
        return Turn(turns.first, turns.next_free, max(0.0, (turns.first - self._now()) / MICROS))

    def take_block(self, count: int) -> Turns:
        """Take the next `count` slots in one transaction. The pace's row is locked first and the clock
        read while it is held, so a caller that waited for the lock gets slots from the time it got it —
        never one already past, which would let it out right behind the last one."""
        while True:
            with self.engine.begin() as connection:
                current = connection.execute(
                    update(_T)
                    .where(_T.c.name == self.name)
                    .values(next_free=_T.c.next_free)
                    .returning(_T.c.next_free)
                ).scalar_one_or_none()
                if current is None:
                    try:
                        with connection.begin_nested():
                            connection.execute(insert(_T).values(name=self.name, next_free=0))
                    except IntegrityError:
                        pass  # another process made it first
                    continue
                turns = take_turns(current, self._now(), self.step, count)
                connection.execute(update(_T).where(_T.c.name == self.name).values(next_free=turns.next_free))
                return turns

    def _now(self) -> int:
        return int(self.clock.now().timestamp() * MICROS)


class NoPace:
    """No limit (nothing sent anywhere: notifications recorded only)."""

    def wait_turn(self) -> float:
        return 0.0

    def turns(self, count: int) -> Iterator[float]:
        for _ in range(count):
            yield 0.0
