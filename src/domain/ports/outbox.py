"""Port: the transactional outbox — events stored with the change that made them, dispatched after."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from prorata.domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: str
    event: DomainEvent
    occurred_at: datetime
    dispatched_at: datetime | None = None


class Outbox(Protocol):
    @abstractmethod
    def get(self, id: str) -> StoredEvent | None: ...

    @abstractmethod
    def due(self, sent_before: datetime, limit: int = 500) -> list[str]:
        """Events not yet dispatched whose last sending is older than `sent_before`."""

    @abstractmethod
    def mark_sent(self, id: str, now: datetime, sent_before: datetime) -> bool:
        """Record that the event is being sent now, unless it was sent since `sent_before` (one sweeper
        of many wins)."""

    @abstractmethod
    def mark_handled(self, id: str, handler: str) -> bool:
        """Note that `handler` handled the event, in the handler's own transaction; False when it had
        already (a database constraint decides), so a redelivered event changes nothing twice."""

    @abstractmethod
    def mark_dispatched(self, id: str, now: datetime) -> None: ...

    @abstractmethod
    def get_all(self, ids: list[str]) -> list[StoredEvent]:
        """The stored events of these ids that exist, oldest first."""

    @abstractmethod
    def mark_all_handled(self, ids: list[str], handler: str) -> set[str]:
        """`mark_handled` for many events in one write: the ids marked now (not those marked before)."""

    @abstractmethod
    def mark_all_dispatched(self, ids: list[str], now: datetime) -> None: ...
