"""The shared rate limit, kept in the database: one row per limited sender holding its next free slot.
Taking a slot is a short transaction holding that row, so processes on any number of machines share one
pace; the caller then sleeps until its slot (domain/notifications/pacing.py has the arithmetic)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql import tables
from prorata.domain.notifications.pacing import MICROS, Turn, step_micros, take_turn
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

    def wait_turn(self) -> float:
        wait = self.take().wait_seconds
        if wait > 0:
            self.sleep(wait)
        return wait

    def take(self) -> Turn:
        """Take the next slot (µs since the epoch), saying how long until it. The pace's row is locked
        first and the clock read while it is held, so a caller that waited for the lock gets a slot from
        the time it got it — never one already past, which would let it out right behind the last one."""
        while True:
            with self.engine.begin() as connection:
                held = connection.execute(
                    update(_T).where(_T.c.name == self.name).values(next_free=_T.c.next_free)
                )
                if held.rowcount == 0:
                    try:
                        with connection.begin_nested():
                            connection.execute(insert(_T).values(name=self.name, next_free=0))
                    except IntegrityError:
                        pass  # another process made it first
                    continue
                current = connection.execute(
                    select(_T.c.next_free).where(_T.c.name == self.name)
                ).scalar_one()
                turn = take_turn(current, int(self.clock.now().timestamp() * MICROS), self.step)
                connection.execute(update(_T).where(_T.c.name == self.name).values(next_free=turn.next_free))
                return turn


class NoPace:
    """No limit (nothing sent anywhere: notifications recorded only)."""

    def wait_turn(self) -> float:
        return 0.0
