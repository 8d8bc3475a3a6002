"""A settlement kept for a community: draft until published, then its receipts are issued."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from prorata.domain.events import SettlementCreated, SettlementPublished
from prorata.domain.receipts.lifecycle import ReceiptStatus
from prorata.domain.receipts.receipt import IssuedReceipt, receipt_number, superseded
from prorata.domain.settlement.request import Period, Service

__all__ = [
    "AlreadyPublished",
    "IssuedReceipt",
    "ReceiptStatus",
    "Settlement",
    "SettlementStatus",
    "receipt_number",
    "superseded",
]


class SettlementStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class AlreadyPublished(Exception):
    code = "already_published"

    def __init__(self, settlement_id: str) -> None:
        super().__init__(f"settlement {settlement_id} is already published; its receipts stand")


@dataclass(frozen=True, slots=True)
class Settlement:
    """`terms` are the contract v1 fields other than `units` (costs, shares, keys, estimation), as
    validated JSON; the units come from the community when it is computed, and the readings from its
    meters — or from `readings` (contract readings with their unit code) when a file brought them.
    `origin` names what produced it (an import, a community, a service), unique, so a file processed
    again replaces its settlement instead of adding one; `supersedes` is the published one it corrects."""

    id: str
    tenant_id: str
    community_id: str
    service: Service
    period: Period
    terms: dict[str, Any]
    status: SettlementStatus = SettlementStatus.DRAFT
    number: int | None = None
    published_at: datetime | None = None
    readings: list[dict[str, Any]] | None = None
    import_id: str | None = None
    origin: str | None = None
    supersedes: str | None = None
    # A reading it counted was corrected after it was published: its receipts stand until a correction
    # (a reprocess of its file, or a new settlement) is published.
    corrections_pending: bool = False

    def publish(self, number: int, now: datetime) -> Settlement:
        if self.status is not SettlementStatus.DRAFT:
            raise AlreadyPublished(self.id)
        return replace(self, status=SettlementStatus.PUBLISHED, number=number, published_at=now)

    def drafted(self) -> SettlementCreated:
        """The event of this draft's creation (`from_file` when an import made it)."""
        return SettlementCreated(
            self.tenant_id, self.id, self.community_id, self.service.value, self.import_id is not None
        )

    def published(self) -> SettlementPublished:
        assert self.number is not None
        return SettlementPublished(self.tenant_id, self.id, self.number)
