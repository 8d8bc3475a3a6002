"""Domain events: what happened, told by the code that made it happen, kept in the outbox with the change
and handed to handlers after commit (notifications, webhooks, drop-zone results, waiting imports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ImportEnded:
    """An import reached an end of its own: settled, awaiting costs, failed or cancelled."""

    tenant_id: str
    import_id: str
    status: str


@dataclass(frozen=True, slots=True)
class SettlementCreated:
    """A draft settlement was created for a community (over REST, or from a file)."""

    tenant_id: str
    settlement_id: str
    community_id: str
    service: str
    from_file: bool


@dataclass(frozen=True, slots=True)
class SettlementPublished:
    """A settlement was published and its receipts issued."""

    tenant_id: str
    settlement_id: str
    number: int


@dataclass(frozen=True, slots=True)
class ReceiptMoved:
    """A receipt was issued or changed status: one per entry of its history (`event_id`), whose `type` is
    what happened (issued, presented, paid, returned, represented, cancelled, superseded)."""

    tenant_id: str
    receipt_id: str
    event_id: str
    type: str
    status: str
    on: str
    reason: str | None = None


DomainEvent = ImportEnded | SettlementCreated | SettlementPublished | ReceiptMoved
KINDS: dict[str, type[DomainEvent]] = {
    kind.__name__: kind for kind in (ImportEnded, SettlementCreated, SettlementPublished, ReceiptMoved)
}


def kind_of(event: DomainEvent) -> str:
    return type(event).__name__


def payload_of(event: DomainEvent) -> dict[str, Any]:
    return asdict(event)


def event_from(kind: str, payload: dict[str, Any]) -> DomainEvent:
    return KINDS[kind](**payload)
