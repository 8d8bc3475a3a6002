"""The unit of work: one connection and transaction, every repository on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql import collection_rows as collection
from prorata.adapters.sql import rows, tables
from prorata.adapters.sql.deferred_jobs import SqlaDeferredJobs
from prorata.adapters.sql.held_receipts import RECEIPT_ORDER, SqlaHeldReceipts
from prorata.adapters.sql.jobs import SqlaJobs
from prorata.adapters.sql.meters import SqlaMeterRepository, SqlaReadingRepository
from prorata.adapters.sql.outbox import SqlaOutbox
from prorata.adapters.sql.repository import SqlaRepository
from prorata.adapters.sql.residents import SqlaResidentRepository
from prorata.adapters.sql.settlements import SqlaSettlementRepository
from prorata.adapters.system import SystemUtcClock, Uuid7Ids
from prorata.domain.access.model import ApiKey, Replay, Tenant
from prorata.domain.collection.bank_return import BankReturn, BankReturnLine
from prorata.domain.collection.remittance import Remittance, RemittanceItem
from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, Resident
from prorata.domain.dropzone.model import DropAccount, DropClaim
from prorata.domain.events import DomainEvent
from prorata.domain.imports.model import IN_PROGRESS, WAITING, ImportJob, MappingProfile, RowError
from prorata.domain.notifications import model as notifications
from prorata.domain.notifications.model import Notification
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.held_receipts import HeldReceipts
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.jobs import Jobs
from prorata.domain.ports.outbox import Outbox
from prorata.domain.ports.repository import Missing, Repository
from prorata.domain.ports.settlements import SettlementRepository
from prorata.domain.receipts.lifecycle import ReceiptEvent
from prorata.domain.receipts.rendered import RenderedDocument
from prorata.domain.settlement.stored import IssuedReceipt
from prorata.domain.webhooks import model as webhooks
from prorata.domain.webhooks.model import Webhook, WebhookDelivery

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
    settlements: SettlementRepository
    receipts: Repository[IssuedReceipt]
    receipt_events: Repository[ReceiptEvent]
    rendered_documents: Repository[RenderedDocument]
    remittances: Repository[Remittance]
    remittance_items: Repository[RemittanceItem]
    bank_returns: Repository[BankReturn]
    bank_return_lines: Repository[BankReturnLine]
    imports: Repository[ImportJob]
    import_errors: Repository[RowError]
    mapping_profiles: Repository[MappingProfile]
    drop_accounts: Repository[DropAccount]
    drop_claims: Repository[DropClaim]
    import_jobs: Jobs[ImportJob]
    held_receipts: HeldReceipts
    outbox: Outbox
    notifications: Repository[Notification]
    notification_jobs: Jobs[Notification]
    webhooks: Repository[Webhook]
    webhook_deliveries: Repository[WebhookDelivery]
    delivery_jobs: Jobs[WebhookDelivery]

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
        self.settlements = SqlaSettlementRepository(connection, bound=self.tenant)
        self.receipts = SqlaRepository[IssuedReceipt](
            connection, tables.receipts, plain, rows.receipt, bound=self.tenant, order=RECEIPT_ORDER
        )
        self.receipt_events = SqlaRepository[ReceiptEvent](
            connection, tables.receipt_events, plain, rows.receipt_event, bound=self.tenant, order=("seq",)
        )
        self.rendered_documents = SqlaRepository[RenderedDocument](
            connection,
            tables.rendered_documents,
            plain,
            lambda row: RenderedDocument(**row),
            bound=self.tenant,
        )
        self.remittances = SqlaRepository[Remittance](
            connection,
            tables.remittances,
            collection.remittance_row,
            collection.remittance,
            bound=self.tenant,
        )
        self.remittance_items = SqlaRepository[RemittanceItem](
            connection, tables.remittance_items, plain, collection.remittance_item, bound=self.tenant
        )
        self.bank_returns = SqlaRepository[BankReturn](
            connection, tables.bank_returns, plain, collection.bank_return, bound=self.tenant
        )
        self.bank_return_lines = SqlaRepository[BankReturnLine](
            connection, tables.bank_return_lines, plain, collection.bank_return_line, bound=self.tenant
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
        self._notifications(connection)
        self._stored_events = SqlaOutbox(connection)
        self.outbox = self._stored_events
        self._events: list[DomainEvent] = []
        return self

    def _notifications(self, connection: Connection) -> None:
        """Pushes to residents and webhook deliveries: records, and job rows claimed under a lease."""
        plain = rows.plain_row
        self.notifications = SqlaRepository[Notification](
            connection, tables.notifications, plain, rows.notification, bound=self.tenant
        )
        self.notification_jobs = SqlaDeferredJobs[Notification](
            connection,
            tables.notifications,
            plain,
            rows.notification,
            waiting=tuple(s.value for s in notifications.WAITING),
            in_progress=tuple(s.value for s in notifications.IN_PROGRESS),
            bound=self.tenant,
        )
        self.webhooks = SqlaRepository[Webhook](
            connection, tables.webhooks, rows.webhook_row, rows.webhook, bound=self.tenant
        )
        self.webhook_deliveries = SqlaRepository[WebhookDelivery](
            connection, tables.webhook_deliveries, plain, rows.webhook_delivery, bound=self.tenant
        )
        self.delivery_jobs = SqlaDeferredJobs[WebhookDelivery](
            connection,
            tables.webhook_deliveries,
            plain,
            rows.webhook_delivery,
            waiting=tuple(s.value for s in webhooks.WAITING),
            in_progress=tuple(s.value for s in webhooks.IN_PROGRESS),
            bound=self.tenant,
        )

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
        now = self.clock.now()
        stored = [self.ids.new() for _ in self._events]
        self._stored_events.store_all(list(zip(stored, self._events, strict=True)), now)
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
