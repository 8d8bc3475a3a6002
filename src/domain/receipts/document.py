"""A receipt as a resident reads it: what it is (header), who pays and how, every reading and every line
of the calculation with its rate, the total, the status and its history, and how the consumption compares
(the EU Energy Efficiency Directive asks it of heating and hot-water bills). Pure values: a renderer
(ports/receipt_renderer.py) only lays them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from prorata.domain.community.iban import mask_iban
from prorata.domain.receipts.lifecycle import EventType, ReceiptStatus
from prorata.domain.settlement.request import Period, Service

MASK = "*"
_VISIBLE = 8  # ES91 **** **** **** **** 1332


class PaymentMethod(StrEnum):
    DIRECT_DEBIT = "direct_debit"
    TRANSFER = "transfer"


def masked_iban(iban: str | None) -> str | None:
    """The IBAN as receipts show it: country, check digits and last 4 (domain/community/iban.py), which
    name no account."""
    return None if not iban else mask_iban("".join(iban.split()).upper())


def _check_masked(iban: str | None) -> None:
    if iban is not None and sum(c != MASK and not c.isspace() for c in iban) > _VISIBLE:
        raise ValueError("a receipt shows an IBAN masked to its country, check digits and last 4")


@dataclass(frozen=True, slots=True)
class CommunityPart:
    code: str
    name: str
    address: str | None = None
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class UnitPart:
    code: str
    kind: str
    coefficient: Decimal | None = None
    area: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Payer:
    """The owner who holds the unit, with the IBAN masked (`masked_iban`)."""

    name: str
    iban: str | None = None
    mandate_reference: str | None = None

    def __post_init__(self) -> None:
        _check_masked(self.iban)


@dataclass(frozen=True, slots=True)
class Header:
    number: str
    community: CommunityPart
    unit: UnitPart
    payer: Payer | None
    service: Service
    period: Period
    issued_on: date | None
    due_on: date | None
    status: ReceiptStatus
    status_on: date | None
    currency: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class MeterRow:
    """How one meter's readings became consumption: (current − previous [+ rollover]) × factor. A unit
    without readings in an estimated settlement has one row with its estimate and no serial or readings."""

    serial: str | None
    previous: Decimal | None
    previous_on: date | None
    current: Decimal | None
    current_on: date | None
    factor: Decimal
    consumption: Decimal
    rolled_over: bool = False
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class LineRow:
    """The unit's share of one pool: its weight of the pool's total weight, at the pool's rate
    (amount / total weight); `amount` is the exact share rounded to the cent by largest remainder, so it
    can differ from weight × rounded rate by a cent."""

    concept: str
    part: str
    basis: str
    weight: Decimal
    total_weight: Decimal | None
    rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One move; `refund`: a return of a collection already paid (lifecycle.refunds)."""

    on: date
    type: EventType
    status: ReceiptStatus
    reason: str | None = None
    note: str | None = None
    refund: bool = False

    @property
    def event_name(self) -> str:
        """The catalogue's name of what happened: `refunded` for a refund."""
        return "refunded" if self.refund else self.type.value

    @property
    def status_name(self) -> str:
        return "refunded" if self.refund else self.status.value


@dataclass(frozen=True, slots=True)
class Payment:
    """By direct debit when the payer has an IBAN and a mandate, else by transfer. `debit_on` is the debit
    date of its last presentation to the bank (a remittance's collection date), while it stands."""

    method: PaymentMethod
    iban: str | None = None
    mandate_reference: str | None = None
    debit_on: date | None = None

    def __post_init__(self) -> None:
        _check_masked(self.iban)


@dataclass(frozen=True, slots=True)
class Comparison:
    """This period's consumption beside the same period a year earlier (when a published settlement
    counted it) and beside the community's average for a unit of this area (its measured units'
    consumption per m² × this area). Changes are percentages of the compared figure."""

    consumption: Decimal
    estimated: bool
    last_year_period: Period
    last_year: Decimal | None = None
    area: Decimal | None = None
    average: Decimal | None = None

    @property
    def change_from_last_year(self) -> Decimal | None:
        return _change(self.consumption, self.last_year)

    @property
    def change_from_average(self) -> Decimal | None:
        return _change(self.consumption, self.average)


def _change(value: Decimal, base: Decimal | None) -> Decimal | None:
    if base is None or base == 0:
        return None
    return (value - base) * 100 / base


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    header: Header
    meters: tuple[MeterRow, ...]
    lines: tuple[LineRow, ...]
    consumption: Decimal | None
    estimated: bool
    history: tuple[HistoryRow, ...]
    payment: Payment
    comparison: Comparison | None

    def __post_init__(self) -> None:
        lines = sum((line.amount for line in self.lines), Decimal("0.00"))
        if lines != self.header.total:
            raise ValueError(f"a receipt's lines ({lines}) must add up to its total ({self.header.total})")

    @property
    def total(self) -> Decimal:
        return self.header.total

    @property
    def status_name(self) -> str:
        """The catalogue's name of its status: `refunded` while it stands returned by a refund."""
        last = self.last_return
        return last.status_name if last is not None else self.header.status.value

    @property
    def last_return(self) -> HistoryRow | None:
        """The bank's last return, while the receipt stands returned: what the resident must act on."""
        if self.header.status is not ReceiptStatus.RETURNED:
            return None
        return next((h for h in reversed(self.history) if h.type is EventType.RETURNED), None)
