"""The rules a remittance follows: when it may be collected, which receipts it may hold, how each
transaction is named and described, and when it may still be cancelled."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from prorata.domain.collection.calendar import is_business_day, next_business_day
from prorata.domain.collection.mandate import mandate_problems
from prorata.domain.collection.remittance import (
    CollectionRefused,
    Exclusion,
    ItemOutcome,
    Remittance,
    RemittanceItem,
    RemittanceStatus,
    SequenceType,
)
from prorata.domain.community.model import Resident
from prorata.domain.receipts.lifecycle import EventType, ReceiptStatus
from prorata.domain.receipts.receipt import IssuedReceipt

_DAY = timedelta(days=1)
# The SEPA rulebook: the debtor is told of a debit 14 calendar days ahead, unless creditor and debtor
# agreed otherwise (a community may agree fewer: its `prenotification_days`).
DEFAULT_PRENOTIFICATION_DAYS = 14
MAX_ID = 35  # EndToEndId, MsgId, PmtInfId, MndtId: Max35Text
MAX_DESCRIPTION = 140  # RmtInf/Ustrd
# The characters the EPC's implementation guidelines allow in SEPA identifiers.
_SEPA_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
# What moves a receipt to the bank: its first presentation, or again after a return.
PRESENTING = {ReceiptStatus.ISSUED: EventType.PRESENTED, ReceiptStatus.RETURNED: EventType.REPRESENTED}
# An earlier item of a mandate that never reached a settlement does not make the next one recurrent.
_NOT_COLLECTED = frozenset({ItemOutcome.REJECTED, ItemOutcome.WITHDRAWN})


def prenotification_days(agreed: int | None) -> int:
    return DEFAULT_PRENOTIFICATION_DAYS if agreed is None else agreed


def earliest_collection(today: date, agreed_days: int | None) -> date:
    """The first day a remittance made today may be collected: a TARGET2 business day, at least the
    pre-notification period away, and after the day the bank takes the file — today, or on a closed day
    the next business day — as the rulebook's D-1 wants it (a file made on Saturday for Monday would
    reach the bank on the day itself)."""
    handed = next_business_day(today)
    return next_business_day(max(today + timedelta(days=prenotification_days(agreed_days)), handed + _DAY))


def check_collection_date(asked: date, today: date, agreed_days: int | None) -> date:
    if not is_business_day(asked):
        raise CollectionRefused(
            "invalid_collection_date",
            f"collection_date {asked.isoformat()} is not a TARGET2 business day (weekends, 1 January, Good "
            f"Friday, Easter Monday, 1 May, 25 and 26 December); the next one is "
            f"{next_business_day(asked).isoformat()}",
            "collection_date",
        )
    earliest = earliest_collection(today, agreed_days)
    if asked < earliest:
        raise CollectionRefused(
            "invalid_collection_date",
            f"collection_date {asked.isoformat()} is too soon: residents are told "
            f"{prenotification_days(agreed_days)} days ahead (the community's prenotification_days), so "
            f"the earliest is {earliest.isoformat()}",
            "collection_date",
        )
    return asked


def is_sepa_id(text: str) -> bool:
    """Whether `text` can name a SEPA transaction or mandate: at most 35 of the allowed characters, not
    starting or ending with "/" and without "//"."""
    return (
        bool(_SEPA_ID.fullmatch(text))
        and not text.startswith("/")
        and not text.endswith("/")
        and ("//" not in text)
    )


def exclusion(
    receipt: IssuedReceipt, payer: Resident | None, iban_valid: bool, collection_date: date
) -> Exclusion | None:
    """Why the receipt cannot be in a remittance collected on that date, or None if it can. `iban_valid`
    says whether the payer's IBAN passed the bank-account check."""
    if receipt.status not in PRESENTING:
        return Exclusion.NOT_COLLECTABLE
    if receipt.currency != "EUR":
        return Exclusion.NOT_IN_EUROS
    if receipt.total_cents <= 0:
        return Exclusion.NOTHING_TO_COLLECT
    if not is_sepa_id(receipt.number):
        return Exclusion.NUMBER_NOT_SEPA
    if payer is None:
        return Exclusion.NO_PAYER
    if not payer.iban:
        return Exclusion.NO_IBAN
    if not iban_valid:
        return Exclusion.INVALID_IBAN
    if not payer.mandate_id or payer.mandate_signed_on is None:
        return Exclusion.NO_MANDATE
    if mandate_problems(payer.mandate_id, payer.mandate_signed_on, collection_date):
        return Exclusion.INVALID_MANDATE
    return None


def sequence_type(mandate_id: str, earlier: Iterable[RemittanceItem]) -> SequenceType:
    """FRST for a mandate's first collection, RCUR once an earlier item of it went to settlement (one the
    bank rejected beforehand, or that was withdrawn, did not)."""
    collected = any(i.mandate_id == mandate_id and i.outcome not in _NOT_COLLECTED for i in earlier)
    return SequenceType.RCUR if collected else SequenceType.FRST


def message_id(number: int, remittance_id: str) -> str:
    """The file's MsgId: the tenant's remittance number, and part of its id so that no two tenants' files
    share one at a bank."""
    return f"PRT-{number:06d}-{remittance_id.replace('-', '')[-12:]}"


def payment_information_id(message: str, sequence: SequenceType) -> str:
    """One PmtInf block per sequence type; its id is the message id and the sequence type."""
    return f"{message}-{sequence.value}"[:MAX_ID]


def remittance_information(community: str, service: str, period: str, receipt: str, number: str) -> str:
    """RmtInf/Ustrd: community, service, period and receipt number, at most 140 characters; the
    community's name gives way first, the receipt number never."""
    tail = f" {service} {period} {receipt} {number}"
    room = MAX_DESCRIPTION - len(tail)
    if room <= 0:
        return f"{receipt} {number}"[-MAX_DESCRIPTION:]
    return community[:room].rstrip() + tail


def can_cancel(remittance: Remittance, today: date) -> None:
    """A remittance may be cancelled while it is open and its collection date has not come."""
    if remittance.status is not RemittanceStatus.OPEN:
        raise CollectionRefused(
            "remittance_not_open", f"the remittance is {remittance.status.value}: it cannot be cancelled"
        )
    if today >= remittance.collection_date:
        raise CollectionRefused(
            "collection_date_reached",
            f"the remittance is collected on {remittance.collection_date.isoformat()}: it can be "
            "cancelled only before that day (ask the bank to recall it)",
        )
