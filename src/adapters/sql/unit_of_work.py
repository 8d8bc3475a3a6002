"""The unit of work: one connection and transaction, every repository on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql import rows, tables
from prorata.adapters.sql.held_receipts import SqlaHeldReceipts
from prorata.adapters.sql.jobs import SqlaJobs
from prorata.adapters.sql.meters import SqlaMeterRepository, SqlaReadingRepository
from prorata.adapters.sql.outbox import SqlaOutbox
from prorata.adapters.sql.repository import SqlaRepository
from prorata.adapters.sql.residents import SqlaResidentRepository
from prorata.adapters.system import SystemUtcClock, Uuid7Ids
from prorata.domain.access.model import ApiKey, Replay, Tenant
from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, Resident
from prorata.domain.dropzone.model import DropAccount, DropClaim
from prorata.domain.events import DomainEvent
from prorata.domain.imports.model import IN_PROGRESS, WAITING, ImportJob, MappingProfile, RowError
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.held_receipts import HeldReceipts
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.jobs import Jobs
from prorata.domain.ports.outbox import Outbox
from prorata.domain.ports.repository import Missing, Repository
from prorata.domain.settlement.stored import IssuedReceipt, Settlement

log = logging.getLogger(__name__)


class SqlaUnitOfWork:
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
    import_jobs: Jobs[ImportJob]
    held_receipts: HeldReceipts
    outbox: Outbox

    def __init__(
        self,
        engine: Engine,
        tenant: str | None = None,
        published: Callable[[list[str]], None] | None = None,
        ids: IdGenerator | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`tenant` binds every repository to that tenant's rows (None: every tenant, for the system's own
        jobs and support); `published` is told the ids of the events each commit stored; `ids` and
        `clock` name and date them."""
        self.engine = engine
        self.tenant = tenant
        self.published = published
        self.ids: IdGenerator = ids or Uuid7Ids()
        self.clock: Clock = clock or SystemUtcClock()
        self.connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self.engine.connect()
        connection.begin()
        self.connection = connection
        plain = rows.plain_row
        self.tenants = SqlaRepository[Tenant](
            connection, tables.tenants, plain, rows.tenant, bound=self.tenant
        )
        self.keys = SqlaRepository[ApiKey](
            connection, tables.api_keys, plain, rows.api_key, bound=self.tenant
        )
        self.replays = SqlaRepository[Replay](
            connection, tables.replays, plain, rows.replay, bound=self.tenant
        )
        self.communities = SqlaRepository[Community](
            connection, tables.communities, plain, rows.community, bound=self.tenant
        )
        self.units = SqlaRepository[CommunityUnit](
            connection, tables.units, plain, rows.unit, bound=self.tenant, order=("community_id", "position")
        )
        self.residents = SqlaResidentRepository(connection, bound=self.tenant)
        self.meters = SqlaMeterRepository(connection, bound=self.tenant)
        self.readings = SqlaReadingRepository(connection, bound=self.tenant)
        self.settlements = SqlaRepository[Settlement](
            connection, tables.settlements, rows.settlement_row, rows.settlement, bound=self.tenant
        )
        self.receipts = SqlaRepository[IssuedReceipt](
            connection, tables.receipts, plain, rows.receipt, bound=self.tenant
        )
        self.imports = SqlaRepository[ImportJob](
            connection, tables.imports, plain, rows.import_job, bound=self.tenant
        )
        self.import_errors = SqlaRepository[RowError](
            connection, tables.import_errors, rows.row_error_row, rows.row_error, bound=self.tenant
        )
        self.mapping_profiles = SqlaRepository[MappingProfile](
            connection, tables.mapping_profiles, plain, rows.mapping_profile, bound=self.tenant
        )
        self.drop_accounts = SqlaRepository[DropAccount](
            connection, tables.drop_accounts, rows.drop_account_row, rows.drop_account, bound=self.tenant
        )
        self.drop_claims = SqlaRepository[DropClaim](
            connection, tables.drop_claims, plain, rows.drop_claim, bound=self.tenant
        )
        self.import_jobs = SqlaJobs[ImportJob](
            connection,
            tables.imports,
            plain,
            rows.import_job,
            waiting=tuple(s.value for s in WAITING),
            in_progress=tuple(s.value for s in IN_PROGRESS),
            bound=self.tenant,
        )
        self.held_receipts = SqlaHeldReceipts(connection, bound=self.tenant)
        self._stored_events = SqlaOutbox(connection)
        self.outbox = self._stored_events
        self._events: list[DomainEvent] = []
        return self

    def emit(self, event: DomainEvent) -> None:
        if self.tenant is not None and event.tenant_id != self.tenant:
            raise ValueError("an event of another tenant")
        self._events.append(event)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self.connection is not None
        self.connection.rollback()
        self.connection.close()
        self.connection = None

    def commit(self) -> None:
        """Commit the changes with the events they emitted; then tell `published` which to dispatch."""
        assert self.connection is not None
        stored = []
        now = self.clock.now()
        for event in self._events:
            stored.append(self.ids.new())
            self._stored_events.store(stored[-1], event, now)
        self._events = []
        self.connection.commit()
        self.connection.begin()
        if stored and self.published is not None:
            try:
                self.published(stored)
            except Exception:  # committed already: the sweeper sends the events again
                log.exception("could not send events %s on; the sweeper will", stored)

    def rollback(self) -> None:
        assert self.connection is not None
        self._events = []
        self.connection.rollback()
        self.connection.begin()

    def next_number(self, tenant_id: str, sequence: str) -> int:
        assert self.connection is not None
        if self.tenant is not None and tenant_id != self.tenant:
            raise Missing(f"no tenant {tenant_id} here")
        table = tables.sequences
        key = (table.c.tenant_id == tenant_id) & (table.c.name == sequence)
        for _ in range(3):
            bumped = self.connection.execute(
                update(table).where(key).values(value=table.c.value + 1).returning(table.c.value)
            ).scalar_one_or_none()
            if bumped is not None:
                return int(bumped)
            try:
                with self.connection.begin_nested():
                    self.connection.execute(insert(table).values(tenant_id=tenant_id, name=sequence, value=1))
                return 1
            except IntegrityError:
                continue  # another transaction created it first: bump that one
        raise RuntimeError(f"could not take the next {sequence} number")
