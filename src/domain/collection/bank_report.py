"""What a bank's file says about collections, read from pain.002 (payment status report) or camt.054
(debit/credit notification), as plain values: one `BankTransaction` per transaction it reports, or per
batch it reports as a whole (a remittance booked in one sum, or rejected in one go)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class BankOutcome(StrEnum):
    REJECTED = "rejected"  # pain.002 RJCT: refused, or returned, with a reason code
    ACCEPTED = "accepted"  # pain.002 ACCP, ACSC, ACTC, PDNG…: nothing happens to the receipt yet
    BOOKED = "booked"  # camt.054: the collection was credited to the community's account
    RETURNED = "returned"  # camt.054: a booked return (RtrInf), or a refund the debtor asked for
    PENDING = "pending"  # camt.054: an entry not booked (PDNG, INFO): nothing happens yet


NEGATIVE = frozenset({BankOutcome.REJECTED, BankOutcome.RETURNED})


@dataclass(frozen=True, slots=True)
class BankTransaction:
    """One outcome. `end_to_end_id` None: the outcome of the whole batch that `message_id` (and
    `payment_information_id`, when given) names, `count` transactions for `amount_cents` when the
    bank says. `status` is the bank's own word (RJCT, BOOK…); `reason` the ISO 20022 reason code;
    `note` what else the bank said (AddtlInf, a proprietary reason). `message_certain` False: the
    message id may be the bank's own reference rather than the original message's (camt.054's
    `Refs/MsgId`), so a transaction naming no message of ours may still be one of ours."""

    outcome: BankOutcome
    status: str
    end_to_end_id: str | None = None
    message_id: str | None = None
    payment_information_id: str | None = None
    reason: str | None = None
    on: date | None = None
    amount_cents: int | None = None
    note: str | None = None
    count: int | None = None
    message_certain: bool = True


@dataclass(frozen=True, slots=True)
class BankReport:
    """`format` names the message and its version (pain.002.001.03, camt.054.001.08…)."""

    format: str
    message_id: str | None
    created_on: date | None
    transactions: tuple[BankTransaction, ...]


class UnreadableBankFile(ValueError):
    """The file is not a bank report prorata reads: not XML, truncated, a DTD or entities, another
    namespace (HTTP 422 `unreadable_bank_file`)."""

    code = "unreadable_bank_file"
