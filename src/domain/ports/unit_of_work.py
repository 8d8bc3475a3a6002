"""Port: one atomic piece of work over every repository."""

from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:  # types only: a command on one kind of record imports no other kind's module
    from prorata.domain.access.model import ApiKey, Replay, Tenant
    from prorata.domain.collection.bank_return import BankReturn, BankReturnLine
    from prorata.domain.collection.remittance import Remittance, RemittanceItem
    from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, Resident
    from prorata.domain.dropzone.model import DropAccount, DropClaim
    from prorata.domain.events import DomainEvent
    from prorata.domain.imports.model import ImportJob, MappingProfile, RowError
    from prorata.domain.notifications.model import Notification
    from prorata.domain.ports.held_receipts import HeldReceipts
    from prorata.domain.ports.jobs import Jobs
    from prorata.domain.ports.outbox import Outbox
    from prorata.domain.ports.repository import Repository
    from prorata.domain.ports.settlements import SettlementRepository
    from prorata.domain.receipts.lifecycle import ReceiptEvent
    from prorata.domain.receipts.rendered import RenderedDocument
    from prorata.domain.settlement.stored import IssuedReceipt
    from prorata.domain.webhooks.model import Webhook, WebhookDelivery


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
    settlements: SettlementRepository  # with their headings read alone (SettlementHeading)
    receipts: Repository[IssuedReceipt]
    receipt_events: Repository[ReceiptEvent]
    rendered_documents: Repository[RenderedDocument]  # PDFs kept after their first download
    remittances: Repository[Remittance]  # SEPA direct-debit remittances (domain/collection)
    remittance_items: Repository[RemittanceItem]
    bank_returns: Repository[BankReturn]  # bank files received, applied once
    bank_return_lines: Repository[BankReturnLine]
    imports: Repository[ImportJob]
    import_errors: Repository[RowError]
    mapping_profiles: Repository[MappingProfile]
    drop_accounts: Repository[DropAccount]
    drop_claims: Repository[DropClaim]
    import_jobs: Jobs[ImportJob]  # the same rows as `imports`, claimed and written under a lease
    held_receipts: HeldReceipts  # the same rows as `receipts`, as the holders of their units reach them
    outbox: Outbox
    notifications: Repository[Notification]  # pushes to residents, one per (receipt, event, resident)
    notification_jobs: Jobs[Notification]  # the same rows, claimed and written under a lease
    webhooks: Repository[Webhook]
    webhook_deliveries: Repository[WebhookDelivery]  # one per (event, webhook)
    delivery_jobs: Jobs[WebhookDelivery]  # the same rows, claimed and written under a lease

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
