"""Port: the failed logins and bans of the drop zone, shared by every SFTP process and kept across
restarts. Each call is its own transaction: what one process records, the others see at once."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from prorata.domain.dropzone.throttle import Subject


class LoginLedger(Protocol):
    @abstractmethod
    def banned(self, subjects: Sequence[Subject], now: datetime) -> Subject | None:
        """The first of the subjects (in their order) banned at `now`, or None."""

    @abstractmethod
    def record_failure(self, subjects: Sequence[Subject], at: datetime) -> None:
        """One failed authentication, against each of the subjects."""

    @abstractmethod
    def failures_since(self, subjects: Sequence[Subject], since: datetime) -> Mapping[Subject, int]:
        """Each subject's failures after `since`, those of every process included."""

    @abstractmethod
    def ban(self, subjects: Sequence[Subject], until: datetime) -> None:
        """Ban the subjects until then; a ban already lasting longer is kept."""

    @abstractmethod
    def forget(self, subject: Subject) -> None:
        """Drop the subject's failures (a success of that very login)."""
