"""Port: a rate limit shared by every process (domain/notifications/pacing.py for its arithmetic)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class Pace(Protocol):
    @abstractmethod
    def wait_turn(self) -> float:
        """Block until the caller may make its request; returns the seconds waited. Of all callers, in
        every process, no more than the configured number per second are let through."""
