"""Port: a rate limit shared by every process (domain/notifications/pacing.py for its arithmetic)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import Protocol


class Pace(Protocol):
    @abstractmethod
    def wait_turn(self) -> float:
        """Block until the caller may make its request; returns the seconds waited. Of all callers, in
        every process, no more than the configured number per second are let through."""

    @abstractmethod
    def turns(self, count: int) -> Iterator[float]:
        """For `count` requests made one after another: blocks until the next may go each time it is
        asked, yielding the seconds waited. Slots are taken in blocks as the caller's pace allows
        (domain/notifications/pacing.py); the same limit holds as for `wait_turn`. A caller may stop
        early: the slots it did not use are lost, not given out twice."""
