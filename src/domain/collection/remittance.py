"""A remittance: the receipts of one community sent to its bank for collection on one date, as one
pain.008 file. Each receipt is one item (one direct-debit transaction), with what the file needs of its
payer and mandate kept as they were when it was made: the file can be downloaded again, the same."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Scheme(StrEnum):
    """CORE for consumers; B2B for businesses (no refund right, the debtor's bank checks the mandate)."""

    CORE = "CORE"
    B2B = "B2B"


class SequenceType(StrEnum):
    """FRST: the first collection of a mandate; RCUR: every one after it."""

    FRST = "FRST"
    RCUR = "RCUR"


class RemittanceStatus(StrEnum):
    """`open`: at the bank, outcomes still to come; `closed`: every item has its outcome; `cancelled`:
    taken back before its collection date."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ItemOutcome(StrEnum):
    """What became of one item: `paid` (its collection was booked), `rejected` (refused before settlement,
    pain.002), `returned` (returned after settlement, or refunded after payment), `withdrawn` (its
    remittance was cancelled), `left` (its receipt was moved on by other means, and presented again)."""

    PAID = "paid"
    REJECTED = "rejected"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    LEFT = "left"


class Exclusion(StrEnum):
    """Why a receipt was left out of a remittance."""

    NOT_COLLECTABLE = "not_collectable"  # its status is not issued (or returned, to present it again)
    NOT_IN_EUROS = "not_in_euros"
    NOTHING_TO_COLLECT = "nothing_to_collect"  # a total of zero or less
    NUMBER_NOT_SEPA = "number_not_sepa"  # its number cannot be an EndToEndId (> 35, or other characters)
    NO_PAYER = "no_payer"
    NO_IBAN = "no_iban"
    INVALID_IBAN = "invalid_iban"
    NO_MANDATE = "no_mandate"  # no mandate id, or no date of signature
    INVALID_MANDATE = "invalid_mandate"  # an id with other characters, or signed after the collection date


@dataclass(frozen=True, slots=True)
class Excluded:
    receipt_id: str
    reason: Exclusion


@dataclass(frozen=True, slots=True)
class Creditor:
    """The community as the file names it: who collects, into which account, under which identifier."""

    name: str
    iban: str
    bic: str | None
    creditor_id: str


@dataclass(frozen=True, slots=True)
class Remittance:
    id: str
    tenant_id: str
    community_id: str
    number: int
    message_id: str
    scheme: Scheme
    collection_date: date
    created_at: datetime
    created_by: str
    count: int
    total_cents: int
    currency: str
    creditor: Creditor
    excluded: tuple[Excluded, ...] = ()
    status: RemittanceStatus = RemittanceStatus.OPEN
    cancelled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RemittanceItem:
    """One receipt in a remittance. `event_id` is the history entry that sent it to the bank (its
    `presented` or `represented`). `open` is True while the receipt is at the bank through this item and
    None after (a database constraint keeps one open item per receipt)."""

    id: str
    tenant_id: str
    remittance_id: str
    receipt_id: str
    end_to_end_id: str
    amount_cents: int
    sequence_type: SequenceType
    payer_id: str
    payer_name: str
    payer_iban: str
    mandate_id: str
    mandate_signed_on: date
    description: str
    event_id: str
    payer_bic: str | None = None
    open: bool | None = True
    outcome: ItemOutcome | None = None
    outcome_on: date | None = None
    reason: str | None = None


class CollectionRefused(Exception):
    """A remittance cannot be made, or changed, as asked (HTTP 422, or 409 for `conflict` codes)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


# What each exclusion means, for the manager reading the refusal.
EXCLUDED_BECAUSE = {
    Exclusion.NOT_COLLECTABLE: "its status is not issued (nor returned, to present it again)",
    Exclusion.NOT_IN_EUROS: "SEPA debits euros only",
    Exclusion.NOTHING_TO_COLLECT: "a total of zero or less",
    Exclusion.NUMBER_NOT_SEPA: "its number cannot be a SEPA EndToEndId",
    Exclusion.NO_PAYER: "nobody owned the unit at the period's end nor on the day of issue",
    Exclusion.NO_IBAN: "the payer has no IBAN",
    Exclusion.INVALID_IBAN: "the payer's IBAN is wrong",
    Exclusion.NO_MANDATE: "the payer has no mandate id or date of signature",
    Exclusion.INVALID_MANDATE: "the payer's mandate id is not one SEPA allows, or it was signed after the "
    "collection date",
}


class NothingToCollect(CollectionRefused):
    """No receipt can be collected: each is excluded, and why. `asked`: the caller named the receipts
    (`receipt_ids`, the field then named); else they are the community's issued receipts."""

    def __init__(self, excluded: tuple[Excluded, ...], community: str, asked: bool) -> None:
        counts = Counter(e.reason for e in excluded)
        why = ", ".join(f"{n} {r.value} ({EXCLUDED_BECAUSE[r]})" for r, n in sorted(counts.items()))
        if asked:
            message = f"none of the {len(excluded)} receipts asked for can be collected: {why}"
        elif excluded:
            message = (
                f"none of the {len(excluded)} issued receipts of community {community} can be collected: "
                f"{why}"
            )
        else:
            message = (
                f"community {community} has no issued receipt to collect: publish a settlement first (a "
                "returned receipt is presented again by naming it in receipt_ids)"
            )
        said = "; `excluded` names each receipt and why" if excluded else ""
        super().__init__("nothing_to_collect", message + said, "receipt_ids" if asked else None)
        self.excluded = excluded
