"""Documents rendered once and kept: a receipt's PDF is rendered on its first download and then served
from the blob store, found by a key that names everything it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prorata.domain.receipts.receipt import IssuedReceipt


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """`key` says what the document shows; `sha256` finds its bytes in the blob store."""

    id: str
    tenant_id: str
    key: str
    sha256: str
    size: int
    rendered_at: datetime


def receipt_pdf_key(receipt: IssuedReceipt, language: str, template_version: int) -> str:
    """What a receipt's PDF shows: the receipt as of its last move (version and status), in a language,
    laid out by a template. A move, another language or a new template makes another document."""
    return (
        f"receipt-pdf/{receipt.id}/v{receipt.version}/{receipt.status.value}/{language}/t{template_version}"
    )
