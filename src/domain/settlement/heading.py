"""A settlement as its receipts' notifications tell of it."""

from __future__ import annotations

from dataclasses import dataclass

from prorata.domain.settlement.request import Period, Service


@dataclass(frozen=True, slots=True)
class SettlementHeading:
    """Which community, service and period a settlement is of, and the published settlement it corrects —
    without the terms and readings it was computed from: a file's readings are a megabyte of JSON in a
    10,000-unit community, and a publish's notifications need none of it."""

    id: str
    tenant_id: str
    community_id: str
    service: Service
    period: Period
    supersedes: str | None = None
