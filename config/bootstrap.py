"""The composition root: the one place that picks adapters for the core's ports.

The database and broker adapters are wired at once: every process that wires the components uses them.
The PDF, SEPA, spreadsheet-writing, HTTP and push adapters are made on first use (`on_first_use`), by the
few processes that use them: imported with the rest they took ≈ 0.55 s of CPU of every command's start
here (a database command's 1.8 s is now 1.0 s)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dramatiq
from sqlalchemy import Engine

from prorata.adapters.dramatiq_deliveries import DramatiqDeliveryQueue
from prorata.adapters.dramatiq_queue import DramatiqTaskQueue, make_broker
from prorata.adapters.drop_holds import PruningDropOutcomes
from prorata.adapters.local_blob_store import LocalBlobStore
from prorata.adapters.local_drop_outcomes import LocalDropOutcomes
from prorata.adapters.spreadsheets.limits import FileLimits
from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.login_ledger import SqlaLoginLedger
from prorata.adapters.sql.migrate import Upgraded, upgrade
from prorata.adapters.sql.pace import NoPace, SqlaPace
from prorata.adapters.sql.unit_of_work import SqlaUnitOfWork
from prorata.adapters.system import SystemUtcClock, Uuid7Ids
from prorata.application.batches import EVENTS_AT_ONCE, spread
from prorata.application.collection_ports import CollectionPorts
from prorata.application.outlets import Outlets
from prorata.application.services import Services
from prorata.config.on_first_use import on_first_use
from prorata.config.readers import file_limits, spreadsheet_reader
from prorata.config.settings import Settings
from prorata.domain.notifications.outcomes import RetryPolicy
from prorata.domain.webhooks.model import RetrySchedule

if TYPE_CHECKING:  # the fields' types only: importing them took 6 % of a database command's instructions
    from prorata.domain.access.principal import Principal
    from prorata.domain.ports.bank_accounts import BankAccounts
    from prorata.domain.ports.bank_file_reader import BankFileReader
    from prorata.domain.ports.blob_store import BlobStore
    from prorata.domain.ports.clock import Clock
    from prorata.domain.ports.distribution_renderer import DistributionRenderer
    from prorata.domain.ports.drop_outcomes import DropOutcomes
    from prorata.domain.ports.error_workbooks import ErrorWorkbooks
    from prorata.domain.ports.ids import IdGenerator
    from prorata.domain.ports.login_ledger import LoginLedger
    from prorata.domain.ports.notifier import Notifier
    from prorata.domain.ports.receipt_renderer import ReceiptRenderer
    from prorata.domain.ports.remittance_writer import RemittanceWriter
    from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
    from prorata.domain.ports.task_queue import TaskQueue
    from prorata.domain.ports.unit_of_work import UnitOfWork
    from prorata.domain.ports.webhook_sender import WebhookSender


@dataclass(frozen=True)
class Components:
    settings: Settings
    spreadsheet_reader: SpreadsheetReader
    clock: Clock
    ids: IdGenerator
    engine: Engine
    # Every tenant's rows: the system's own jobs (workers, sweeper, watcher) and support's explicit reads.
    unit_of_work: Callable[[], UnitOfWork]
    # One tenant's rows only: what a tenant's caller works with (see `unit_of_work_for`).
    tenant_unit_of_work: Callable[[str], UnitOfWork]
    blobs: BlobStore
    broker: dramatiq.Broker
    queue: TaskQueue
    drop_outcomes: DropOutcomes
    # The workbooks handed back to fix a file, built in a sandbox and kept under the data dir.
    error_workbooks: ErrorWorkbooks
    # A settlement's distribution sheet, as a workbook and as a PDF.
    distribution_workbook: DistributionRenderer
    distribution_pdf: DistributionRenderer
    # The SFTP drop zone's failed logins and bans, shared by every SFTP process (in the database).
    login_ledger: LoginLedger
    # Receipts as PDF (borb), rendered on a receipt's first download and kept in `blobs`.
    receipt_renderer: ReceiptRenderer
    # Push notifications (OneSignal, or recorded only) and webhooks: senders, queue, pace, retry rules.
    outlets: Outlets
    # SEPA direct debit: bank accounts checked, pain.008 written, bank files read (all stateless).
    collection: CollectionPorts

    @property
    def services(self) -> Services:
        """The ports use cases take as one object."""
        return Services(
            self.clock,
            self.ids,
            self.blobs,
            self.spreadsheet_reader,
            self.queue,
            self.drop_outcomes,
            self.collection.accounts,
        )

    def unit_of_work_for(self, principal: Principal) -> UnitOfWork:
        """A unit of work bound to the principal's tenant: its repositories filter every read and write by
        that tenant in SQL. Support, who belongs to no tenant, reaches every tenant."""
        tenant = principal.tenant_scope
        return self.unit_of_work() if tenant is None else self.tenant_unit_of_work(tenant)

    def upgrade_database(self) -> Upgraded:
        """Apply the migrations; running it again changes nothing."""
        return upgrade(self.engine)


def bootstrap(settings: Settings | None = None) -> Components:
    """Wire the adapters. Nothing connects yet: the engine opens connections when first used."""
    settings = settings or Settings.from_environment()
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    limits = file_limits(settings)
    engine = make_engine(settings.database_url)
    broker = make_broker(settings.broker_url, settings.broker_namespace)
    queue = DramatiqTaskQueue(broker)
    clock, ids = SystemUtcClock(), Uuid7Ids()

    def dispatch(event_ids: list[str]) -> None:  # after commit; a lost send is swept again
        for ids in spread(event_ids, EVENTS_AT_ONCE):  # a publish's events, many to a message
            queue.dispatch_events(ids)

    return Components(
        settings=settings,
        spreadsheet_reader=spreadsheet_reader(settings),
        clock=clock,
        ids=ids,
        engine=engine,
        unit_of_work=lambda: SqlaUnitOfWork(engine, published=dispatch, ids=ids, clock=clock),
        tenant_unit_of_work=lambda tenant: SqlaUnitOfWork(engine, tenant, dispatch, ids, clock),
        blobs=LocalBlobStore(settings.blob_dir),
        broker=broker,
        queue=queue,
        drop_outcomes=PruningDropOutcomes(LocalDropOutcomes(settings.drop_root), settings.drop_root),
        error_workbooks=on_first_use(lambda: _error_workbooks(settings, limits)),
        distribution_workbook=on_first_use(_distribution_workbook),
        distribution_pdf=on_first_use(_distribution_pdf),
        login_ledger=SqlaLoginLedger(engine),
        receipt_renderer=on_first_use(_receipt_pdf),
        outlets=_outlets(settings, engine, broker, clock),
        collection=CollectionPorts(
            on_first_use(_bank_accounts), on_first_use(_remittance_writer), on_first_use(_bank_file_reader)
        ),
    )


def _outlets(settings: Settings, engine: Engine, broker: dramatiq.Broker, clock: Clock) -> Outlets:
    """OneSignal when an app id and key are set (else notifications are recorded only), at one pace
    shared by every process; webhooks to public https URLs unless PRORATA_WEBHOOKS_ALLOW_PRIVATE."""
    notifier = on_first_use(lambda: _onesignal(settings)) if settings.onesignal_configured else None
    return Outlets(
        queue=DramatiqDeliveryQueue(broker),
        notifier=notifier,
        pace=SqlaPace(engine, "onesignal", settings.onesignal_max_rps, clock) if notifier else NoPace(),
        webhooks=on_first_use(lambda: _webhook_sender(settings)),
        retry=RetryPolicy(
            max_failures=settings.onesignal_max_failures, backoff=settings.notify_backoff_seconds
        ),
        webhook_retry=RetrySchedule(backoff=settings.webhook_backoff_seconds),
        lease=settings.send_lease,
    )


# The adapters made on first use, each importing its library then (what that import takes here, CPU).


def _receipt_pdf() -> ReceiptRenderer:
    from prorata.adapters.pdf.receipt_pdf import BorbReceiptRenderer  # borb, fontTools: ≈ 0.16 s

    return BorbReceiptRenderer()


def _distribution_pdf() -> DistributionRenderer:
    from prorata.adapters.pdf.distribution_pdf import BorbDistributionPdf  # borb

    return BorbDistributionPdf()


def _distribution_workbook() -> DistributionRenderer:
    from prorata.adapters.spreadsheets.distribution_workbook import OpenpyxlDistributionWorkbook  # ≈ 0.15 s

    return OpenpyxlDistributionWorkbook()


def _error_workbooks(settings: Settings, limits: FileLimits) -> ErrorWorkbooks:
    from prorata.adapters.spreadsheets.error_workbooks import SandboxedErrorWorkbooks  # openpyxl

    return SandboxedErrorWorkbooks(settings.data_dir / "error-workbooks", limits)


def _bank_accounts() -> BankAccounts:
    from prorata.adapters.sepa.accounts import SchwiftyBankAccounts  # schwifty: ≈ 0.03 s

    return SchwiftyBankAccounts()


def _remittance_writer() -> RemittanceWriter:
    from prorata.adapters.sepa.pain008 import SepaxmlRemittanceWriter  # sepaxml: ≈ 0.02 s

    return SepaxmlRemittanceWriter()


def _bank_file_reader() -> BankFileReader:
    from prorata.adapters.sepa.bank_files import DefusedXmlBankFileReader  # defusedxml: ≈ 0.015 s

    return DefusedXmlBankFileReader()


def _onesignal(settings: Settings) -> Notifier:
    from prorata.adapters.onesignal import OneSignalNotifier  # onesignal_sdk, httpx

    return OneSignalNotifier(
        settings.onesignal_app_id,
        settings.onesignal_api_key,
        settings.onesignal_api_root,
        timeout=settings.onesignal_timeout,
    )


def _webhook_sender(settings: Settings) -> WebhookSender:
    from prorata.adapters.webhooks import HttpxWebhookSender  # httpx: ≈ 0.1–0.15 s

    return HttpxWebhookSender(settings.webhooks_allow_private)
