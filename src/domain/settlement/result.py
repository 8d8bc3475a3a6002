"""A prorated settlement: its pools and one receipt per unit, with the calculation trace behind them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from prorata.domain.settlement.request import Period, Service


class Part(StrEnum):
    CONSUMPTION = "consumption"
    FIXED = "fixed"
    TARIFF = "tariff"
    DIFFERENCE = "difference"


@dataclass(frozen=True, slots=True)
class Pool:
    """An amount shared among the units by one basis: `consumption`, `tariff`, or a fixed key.
    `fallback` marks a consumption part shared by the fixed key because nothing was consumed."""

    concept: str
    part: Part
    amount: Decimal
    basis: str
    total_weight: Decimal
    fallback: bool = False


class ReceiptLine(NamedTuple):
    """A unit's share of one pool: `exact` is the share before rounding to the cent.

    A named tuple, not a frozen dataclass: there is one per unit and pool (300,000 for a large
    settlement), and a frozen dataclass costs several times more to build."""

    concept: str
    part: Part
    basis: str
    weight: Decimal
    amount: Decimal
    exact: Decimal


class MeterTrace(NamedTuple):
    """How one reading became consumption: (current − previous [+ rollover]) × factor. A named tuple
    for the reason ReceiptLine is one."""

    meter: str | None
    previous: Decimal | None
    current: Decimal | None
    factor: Decimal
    rolled_over: bool
    consumption: Decimal


class Receipt(NamedTuple):
    """One unit's share of the settlement (a named tuple: one per unit, like ReceiptLine)."""

    unit: str
    total: Decimal
    consumption: Decimal | None
    estimated: bool
    lines: tuple[ReceiptLine, ...]
    meters: tuple[MeterTrace, ...] = ()


@dataclass(frozen=True, slots=True)
class SettlementResult:
    currency: str
    total: Decimal
    pools: tuple[Pool, ...]
    receipts: tuple[Receipt, ...]
    service: Service = Service.OTHER
    period: Period | None = None

    @property
    def receipts_total(self) -> Decimal:
        return sum((r.total for r in self.receipts), Decimal("0.00"))
