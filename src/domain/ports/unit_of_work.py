"""Port: one atomic piece of work over every repository."""

from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import Protocol, Self

from prorata.domain.access.model import ApiKey, Replay, Tenant
from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, Resident
from prorata.domain.dropzone.model import DropAccount, DropClaim
from prorata.domain.events import DomainEvent
from prorata.domain.imports.model import ImportJob, MappingProfile, RowError
from prorata.domain.ports.held_receipts import HeldReceipts
from prorata.domain.ports.jobs import Jobs
from prorata.domain.ports.outbox import Outbox
from prorata.domain.ports.repository import Repository
from prorata.domain.settlement.stored import IssuedReceipt, Settlement


class UnitOfWork(Protocol):
    """Everything done through it is committed together by `commit`, or not at all."""

    tenants: Repository[Tenant]
    keys: Repository[ApiKey]
    replays: Repository[Replay]
    communities: Repository[Community]
    units: Repository[CommunityUnit]
    residents: Repository[Resident]
    meters: Repository[Meter]
    readings: Repository[MeterReading]
    settlements: Repository[Settlement]
    receipts: Repository[IssuedReceipt]
    imports: Repository[ImportJob]
    import_errors: Repository[RowError]
    mapping_profiles: Repository[MappingProfile]
    drop_accounts: Repository[DropAccount]
    drop_claims: Repository[DropClaim]
    import_jobs: Jobs[ImportJob]  # the same rows as `imports`, claimed and written under a lease
    held_receipts: HeldReceipts  # the same rows as `receipts`, as the holders of their units reach them
    outbox: Outbox

    @abstractmethod
    def emit(self, event: DomainEvent) -> None:
        """Store the event with this unit of work's changes: it is kept by the same `commit`, and lost
        with them by a rollback."""

    @abstractmethod
    def next_number(self, tenant_id: str, sequence: str) -> int:
        """The next number of a per-tenant sequence (1, 2, …), taken within this unit of work."""

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def __enter__(self) -> Self: ...

    @abstractmethod
    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Rolls back whatever was not committed."""
