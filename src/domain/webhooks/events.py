"""The events a webhook may subscribe to, and which domain event is which."""

from __future__ import annotations

from prorata.domain.events import (
    DomainEvent,
    ImportEnded,
    ReceiptMoved,
    SettlementCreated,
    SettlementPublished,
)

_RECEIPT_TYPES = {
    "issued": "receipt.issued",
    "presented": "receipt.sent_for_collection",
    "represented": "receipt.sent_for_collection",
    "paid": "receipt.paid",
    "returned": "receipt.returned",
    "cancelled": "receipt.cancelled",
    "superseded": "receipt.superseded",
    "withdrawn": "receipt.withdrawn",
}
_OTHER_TYPES: dict[type, str] = {
    ImportEnded: "import.ended",
    SettlementCreated: "settlement.created",
    SettlementPublished: "settlement.published",
}
EVENT_TYPES = (
    "receipt.issued",
    "receipt.sent_for_collection",
    "receipt.paid",
    "receipt.returned",
    "receipt.cancelled",
    "receipt.superseded",
    "receipt.withdrawn",
    "settlement.created",
    "settlement.published",
    "import.ended",
)


def type_of(event: DomainEvent) -> str | None:
    """The webhook event type of a domain event; None for one no webhook is told of."""
    if isinstance(event, ReceiptMoved):
        return _RECEIPT_TYPES.get(event.type)
    return _OTHER_TYPES.get(type(event))
