"""What a pain.008 file says, as plain values: a writer (ports/remittance_writer.py) lays it out. Built
from a stored remittance and its items, so every download of it is the same file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from prorata.domain.collection.remittance import (
    Creditor,
    Remittance,
    RemittanceItem,
    Scheme,
    SequenceType,
)


class PainVersion(StrEnum):
    """pain.008.001.02 is what Spanish banks take as the SEPA direct-debit "cuaderno 19.14 XML";
    pain.008.001.08, where a bank asks for it."""

    V02 = "001.02"
    V08 = "001.08"


@dataclass(frozen=True, slots=True)
class DirectDebit:
    end_to_end_id: str
    amount_cents: int
    debtor_name: str
    debtor_iban: str
    mandate_id: str
    mandate_signed_on: date
    sequence_type: SequenceType
    description: str
    debtor_bic: str | None = None


@dataclass(frozen=True, slots=True)
class RemittanceFile:
    message_id: str
    created_at: datetime
    collection_date: date
    scheme: Scheme
    currency: str
    creditor: Creditor
    debits: tuple[DirectDebit, ...]


def file_of(remittance: Remittance, items: Iterable[RemittanceItem]) -> RemittanceFile:
    """The file of the remittance: every item it was made with (a withdrawn one too — the file is the one
    the bank was given), in the order of their receipt numbers."""
    debits = tuple(
        DirectDebit(
            i.end_to_end_id,
            i.amount_cents,
            i.payer_name,
            i.payer_iban,
            i.mandate_id,
            i.mandate_signed_on,
            i.sequence_type,
            i.description,
            i.payer_bic,
        )
        for i in sorted(items, key=lambda i: i.end_to_end_id)
    )
    return RemittanceFile(
        remittance.message_id,
        remittance.created_at,
        remittance.collection_date,
        remittance.scheme,
        remittance.currency,
        remittance.creditor,
        debits,
    )
