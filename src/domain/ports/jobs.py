"""Port: background jobs kept as rows — claimed under a lease, fenced by their attempt number.

Every job kind (imports today; receipt rendering, remittances, notifications next) is a row with a status,
a generation and an attempt number, a lease and the time it was last sent to a worker. A claim is one
conditional write that either wins or does not; each claim bumps the attempt number, and every later write
of that attempt goes through `hold`, which lands only while the job is still at that (generation, attempt)
and in progress. Running a job again from scratch starts a new generation."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol, TypeVar

T = TypeVar("T")


class LeaseLost(Exception):
    """The attempt no longer holds its job — cancelled, or claimed by a later attempt after its lease ran
    out: everything it wrote in this transaction must be rolled back and the attempt dropped."""


class Jobs(Protocol[T]):
    @abstractmethod
    def claim(self, id: str, now: datetime, lease_until: datetime) -> T | None:
        """Take the job for a new attempt if it waits, or if its holder's lease has run out; None when
        another claimer has it. At most one of any number of concurrent claimers wins."""

    @abstractmethod
    def claim_all(self, ids: list[str], now: datetime, lease_until: datetime) -> list[T]:
        """`claim` for many jobs in one write: those won (in no particular order); each is taken by at
        most one of any number of concurrent claimers."""

    @abstractmethod
    def hold(self, job: T) -> None:
        """Write the job's new state for the attempt it carries; raises LeaseLost when the job is no
        longer at that attempt or no longer in progress (nothing is written then)."""

    @abstractmethod
    def hold_all(self, jobs: list[T]) -> list[T]:
        """`hold` for many jobs in one write: those written; a job whose attempt lost it is left out
        (nothing is written for it)."""

    @abstractmethod
    def release(self, job: T) -> bool:
        """Give back a job the attempt it carries claimed but did not start (waiting again, its attempt
        not counted); False when the attempt no longer holds it."""

    @abstractmethod
    def swap(self, expected: T, new: T) -> bool:
        """Replace the job by `new` only if it still is in `expected`'s status and attempt."""

    @abstractmethod
    def due(self, now: datetime, sent_before: datetime, limit: int = 500) -> list[str]:
        """Jobs no worker holds (waiting, or in progress past their lease) last sent before `sent_before`."""

    @abstractmethod
    def mark_sent(self, id: str, now: datetime, sent_before: datetime) -> bool:
        """Record that the job is being sent now, unless someone sent it since `sent_before`: of many
        sweepers, exactly one gets True and sends it."""
