"""The unit of work: one connection and transaction, every repository on it. A repository is made on its
first use in the transaction, its module (and its records' models) imported then: a command that lists
keys imports none of the others' (they were a fifth of a database command's start)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql import tables
from prorata.adapters.sql.outbox import SqlaOutbox
from prorata.adapters.sql.repository import SqlaRepository
from prorata.adapters.sql.rows import Row, plain_row
from prorata.adapters.system import SystemUtcClock, Uuid7Ids
from prorata.domain.ports.repository import Missing

if TYPE_CHECKING:
    from prorata.domain.access.model import ApiKey, Replay, Tenant
    from prorata.domain.collection.bank_return import BankReturn, BankReturnLine
    from prorata.domain.collection.remittance import Remittance, RemittanceItem
    from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, Resident
    from prorata.domain.dropzone.model import DropAccount, DropClaim
    from prorata.domain.events import DomainEvent
    from prorata.domain.imports.model import ImportJob, MappingProfile, RowError
    from prorata.domain.notifications.model import Notification
    from prorata.domain.ports.clock import Clock
    from prorata.domain.ports.held_receipts import HeldReceipts
    from prorata.domain.ports.ids import IdGenerator
    from prorata.domain.ports.jobs import Jobs
    from prorata.domain.ports.outbox import Outbox
    from prorata.domain.ports.repository import Repository
    from prorata.domain.ports.settlements import SettlementRepository
    from prorata.domain.receipts.lifecycle import ReceiptEvent
    from prorata.domain.receipts.rendered import RenderedDocument
    from prorata.domain.settlement.stored import IssuedReceipt
    from prorata.domain.webhooks.model import Webhook, WebhookDelivery

log = logging.getLogger(__name__)


def _leased(states: ModuleType) -> dict[str, tuple[str, ...]]:
    """A job table's waiting and in-progress statuses, as its record's module names them."""
    return {
        "waiting": tuple(s.value for s in states.WAITING),
        "in_progress": tuple(s.value for s in states.IN_PROGRESS),
    }


# Each area's repositories, made together on a connection for a tenant (None: every tenant's rows) when
# one of them is first used; each area imports its modules and its records' models then. Each is named
# with its port's type, so that mypy checks its converters as it checks the port's attributes.
Repositories = dict[str, object]


def _access(connection: Connection, bound: str | None) -> Repositories:
    from prorata.adapters.sql import access_rows as rows

    tenants: Repository[Tenant] = SqlaRepository(
        connection, tables.tenants, plain_row, rows.tenant, bound=bound
    )
    keys: Repository[ApiKey] = SqlaRepository(
        connection, tables.api_keys, plain_row, rows.api_key, bound=bound
    )
    replays: Repository[Replay] = SqlaRepository(
        connection, tables.replays, plain_row, rows.replay, bound=bound
    )
    return {"tenants": tenants, "keys": keys, "replays": replays}


def _community(connection: Connection, bound: str | None) -> Repositories:
    from prorata.adapters.sql import community_rows as rows
    from prorata.adapters.sql.meters import SqlaMeterRepository, SqlaReadingRepository
    from prorata.adapters.sql.residents import SqlaResidentRepository

    communities: Repository[Community] = SqlaRepository(
        connection, tables.communities, plain_row, rows.community, bound=bound
    )
    units: Repository[CommunityUnit] = SqlaRepository(
        connection, tables.units, plain_row, rows.unit, bound=bound, order=("community_id", "position")
    )
    residents: Repository[Resident] = SqlaResidentRepository(connection, bound=bound)
    meters: Repository[Meter] = SqlaMeterRepository(connection, bound=bound)
    readings: Repository[MeterReading] = SqlaReadingRepository(connection, bound=bound)
    return {
        "communities": communities,
        "units": units,
        "residents": residents,
        "meters": meters,
        "readings": readings,
    }


def _settlements(connection: Connection, bound: str | None) -> Repositories:
    from prorata.adapters.sql import settlement_rows as rows
    from prorata.adapters.sql.held_receipts import RECEIPT_ORDER, SqlaHeldReceipts
    from prorata.adapters.sql.settlements import SqlaSettlementRepository
    from prorata.domain.receipts.rendered import RenderedDocument

    def rendered(row: Row) -> RenderedDocument:
        return RenderedDocument(**row)

    settlements: SettlementRepository = SqlaSettlementRepository(connection, bound=bound)
    receipts: Repository[IssuedReceipt] = SqlaRepository(
        connection, tables.receipts, plain_row, rows.receipt, bound=bound, order=RECEIPT_ORDER
    )
    receipt_events: Repository[ReceiptEvent] = SqlaRepository(
        connection, tables.receipt_events, plain_row, rows.receipt_event, bound=bound, order=("seq",)
    )
    rendered_documents: Repository[RenderedDocument] = SqlaRepository(
        connection, tables.rendered_documents, plain_row, rendered, bound=bound
    )
    held_receipts: HeldReceipts = SqlaHeldReceipts(connection, bound=bound)
    return {
        "settlements": settlements,
        "receipts": receipts,
        "receipt_events": receipt_events,
        "rendered_documents": rendered_documents,
        "held_receipts": held_receipts,
    }


def _collection(connection: Connection, bound: str | None) -> Repositories:
    from prorata.adapters.sql import collection_rows as rows

    remittances: Repository[Remittance] = SqlaRepository(
        connection, tables.remittances, rows.remittance_row, rows.remittance, bound=bound
    )
    remittance_items: Repository[RemittanceItem] = SqlaRepository(
        connection, tables.remittance_items, plain_row, rows.remittance_item, bound=bound
    )
    bank_returns: Repository[BankReturn] = SqlaRepository(
        connection, tables.bank_returns, plain_row, rows.bank_return, bound=bound
    )
    bank_return_lines: Repository[BankReturnLine] = SqlaRepository(
        connection, tables.bank_return_lines, plain_row, rows.bank_return_line, bound=bound
    )
    return {
        "remittances": remittances,
        "remittance_items": remittance_items,
        "bank_returns": bank_returns,
        "bank_return_lines": bank_return_lines,
    }


def _imports(connection: Connection, bound: str | None) -> Repositories:
    from prorata.adapters.sql import import_rows as rows
    from prorata.adapters.sql.jobs import SqlaJobs
    from prorata.domain.imports import model as imported

    imports: Repository[ImportJob] = SqlaRepository(
        connection, tables.imports, plain_row, rows.import_job, bound=bound
    )
    import_errors: Repository[RowError] = SqlaRepository(
        connection, tables.import_errors, rows.row_error_row, rows.row_error, bound=bound
    )
    mapping_profiles: Repository[MappingProfile] = SqlaRepository(
        connection, tables.mapping_profiles, plain_row, rows.mapping_profile, bound=bound
    )
    drop_accounts: Repository[DropAccount] = SqlaRepository(
        connection, tables.drop_accounts, rows.drop_account_row, rows.drop_account, bound=bound
    )
    drop_claims: Repository[DropClaim] = SqlaRepository(
        connection, tables.drop_claims, plain_row, rows.drop_claim, bound=bound
    )
    import_jobs: Jobs[ImportJob] = SqlaJobs(
        connection, tables.imports, plain_row, rows.import_job, bound=bound, **_leased(imported)
    )
    return {
        "imports": imports,
        "import_errors": import_errors,
        "mapping_profiles": mapping_profiles,
        "drop_accounts": drop_accounts,
        "drop_claims": drop_claims,
        "import_jobs": import_jobs,
    }


def _outlets(connection: Connection, bound: str | None) -> Repositories:
    """Pushes to residents and webhook deliveries: records, and job rows claimed under a lease."""
    from prorata.adapters.sql import outlet_rows as rows
    from prorata.adapters.sql.deferred_jobs import SqlaDeferredJobs
    from prorata.domain.notifications import model as pushes
    from prorata.domain.webhooks import model as hooks

    notifications: Repository[Notification] = SqlaRepository(
        connection, tables.notifications, plain_row, rows.notification, bound=bound
    )
    notification_jobs: Jobs[Notification] = SqlaDeferredJobs(
        connection, tables.notifications, plain_row, rows.notification, bound=bound, **_leased(pushes)
    )
    webhooks: Repository[Webhook] = SqlaRepository(
        connection, tables.webhooks, rows.webhook_row, rows.webhook, bound=bound
    )
    webhook_deliveries: Repository[WebhookDelivery] = SqlaRepository(
        connection, tables.webhook_deliveries, plain_row, rows.webhook_delivery, bound=bound
    )
    delivery_jobs: Jobs[WebhookDelivery] = SqlaDeferredJobs(
        connection, tables.webhook_deliveries, plain_row, rows.webhook_delivery, bound=bound, **_leased(hooks)
    )
    return {
        "notifications": notifications,
        "notification_jobs": notification_jobs,
        "webhooks": webhooks,
        "webhook_deliveries": webhook_deliveries,
        "delivery_jobs": delivery_jobs,
    }


# Which area makes each repository.
_AREAS: dict[str, Callable[[Connection, str | None], Repositories]] = {
    name: make
    for make, names in (
        (_access, ("tenants", "keys", "replays")),
        (_community, ("communities", "units", "residents", "meters", "readings")),
        (_settlements, ("settlements", "receipts", "receipt_events", "rendered_documents", "held_receipts")),
        (_collection, ("remittances", "remittance_items", "bank_returns", "bank_return_lines")),
        (
            _imports,
            ("imports", "import_errors", "mapping_profiles", "drop_accounts", "drop_claims", "import_jobs"),
        ),
        (_outlets, ("notifications", "notification_jobs", "webhooks", "webhook_deliveries", "delivery_jobs")),
    )
    for name in names
}


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
        self._forget_repositories()
        self.connection = connection
        self._stored_events = SqlaOutbox(connection)
        self.outbox = self._stored_events
        self._events: list[DomainEvent] = []
        return self

    if not TYPE_CHECKING:  # for mypy the attributes above are the only ones

        def __getattr__(self, name: str) -> object:
            """A repository not made yet in this transaction: made now with its area's, on its connection."""
            make = _AREAS.get(name)
            connection = self.__dict__.get("connection")
            if make is None or connection is None:  # not a repository, or outside `with`
                raise AttributeError(name)
            try:
                made = make(connection, self.tenant)
            except AttributeError as error:  # not to be taken for a missing attribute (hasattr)
                raise RuntimeError(f"could not make the {name} repository") from error
            for area_name, repository in made.items():
                self.__dict__.setdefault(area_name, repository)  # one set meanwhile (a test's) stays
            return self.__dict__[name]

    def _forget_repositories(self) -> None:
        for name in _AREAS:
            self.__dict__.pop(name, None)

    def emit(self, event: DomainEvent) -> None:
        if self.tenant is not None and event.tenant_id != self.tenant:
            raise ValueError("an event of another tenant")
        self._events.append(event)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self.connection is not None
        try:
            self.connection.rollback()
            self.connection.close()
        finally:
            self.connection = None
            self._forget_repositories()

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
