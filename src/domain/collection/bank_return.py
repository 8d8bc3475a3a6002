"""A bank file received: kept (in the blob store, by its SHA-256) and applied once per tenant; the answer
it got is kept with it, so the same file again gets the same answer and moves nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class BankReturnStatus(StrEnum):
    APPLIED = "applied"
    REFUSED = "refused"  # unreadable: `problem` says why


@dataclass(frozen=True, slots=True)
class BankReturn:
    id: str
    tenant_id: str
    sha256: str
    size: int
    original_name: str
    received_at: datetime
    status: BankReturnStatus
    format: str | None = None
    message_id: str | None = None
    problem: str | None = None
    result: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class BankReturnLine:
    """One move a bank file made: which item, which history entry. One per (file, item, outcome), and one
    per history entry: no transaction is applied twice."""

    id: str
    tenant_id: str
    bank_return_id: str
    item_id: str
    receipt_event_id: str
    outcome: str
    reason: str | None = None
