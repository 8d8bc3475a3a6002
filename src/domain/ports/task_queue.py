"""Port: waking workers. The database holds the truth; a lost message is found again by the sweeper.

A send never fails its caller: it comes after the commit, and a broker that cannot take the message (down,
unreachable) is logged and left to the sweeper, which sends the row again."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class TaskQueue(Protocol):
    @abstractmethod
    def run_import(self, import_id: str) -> None:
        """Ask a worker to process the import (after the job's row is committed)."""

    @abstractmethod
    def dispatch_event(self, event_id: str) -> None:
        """Ask a worker to hand the stored event to its handlers (after the event's row is committed)."""

    @abstractmethod
    def dispatch_events(self, event_ids: list[str]) -> None:
        """`dispatch_event` for several events in one message: one worker relays them together."""
