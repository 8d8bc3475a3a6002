"""What a settlement shares: cost lines, units with their keys and meter readings, and the rules."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

ONE = Decimal(1)
ZERO = Decimal(0)


class Service(StrEnum):
    HEATING = "heating"
    HOT_WATER = "hot_water"
    COLD_WATER = "cold_water"
    GAS = "gas"
    ELECTRICITY = "electricity"
    OTHER = "other"


class FixedKey(StrEnum):
    """How a fixed part is shared: ownership coefficient (cuota, tantièmes, MEA), floor area, equal shares."""

    COEFFICIENT = "coefficient"
    AREA = "area"
    EQUAL = "equal"


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")


class _ReadingFields(NamedTuple):
    meter: str | None = None
    previous: Decimal | None = None
    current: Decimal | None = None
    consumption: Decimal | None = None
    factor: Decimal = ONE
    rollover: Decimal | None = None
    read_on: date | None = None
    row: int | None = None


class Reading(_ReadingFields):
    """One meter's reading for the period: `previous` and `current`, or a `consumption` given directly.
    `factor` weights it (a heat cost allocator's radiator rating); `rollover` is where the meter wraps.
    `row` is the spreadsheet row it came from, if any.

    A named tuple, as the other per-unit types of a settlement are: a large settlement has one per
    dwelling, and a frozen dataclass costs twice as much to build."""

    __slots__ = ()

    def __new__(
        cls,
        meter: str | None = None,
        previous: Decimal | None = None,
        current: Decimal | None = None,
        consumption: Decimal | None = None,
        factor: Decimal = ONE,
        rollover: Decimal | None = None,
        read_on: date | None = None,
        row: int | None = None,
    ) -> Reading:
        by_index = previous is not None and current is not None
        if consumption is None:
            if not by_index:
                raise ValueError("a reading has previous and current, or consumption")
        elif previous is not None or current is not None:
            raise ValueError("a reading has previous and current, or consumption")
        return tuple.__new__(cls, (meter, previous, current, consumption, factor, rollover, read_on, row))


def unit_key(code: str) -> str:
    """How a unit is recognised, in a request or a file: its code trimmed, case-insensitive."""
    return code.strip().casefold()


class Unit(NamedTuple):
    """A dwelling or premises; `metered=False` means it has no meter for this service. A named tuple,
    like Reading."""

    code: str
    coefficient: Decimal | None = None
    area: Decimal | None = None
    metered: bool = True
    readings: tuple[Reading, ...] = ()


@dataclass(frozen=True, slots=True)
class TariffBlock:
    """Consumption up to `up_to` (cumulative; None = no bound) is priced at `price`."""

    up_to: Decimal | None
    price: Decimal


@dataclass(frozen=True, slots=True)
class Tariff:
    blocks: tuple[TariffBlock, ...]

    def __post_init__(self) -> None:
        if not self.blocks:
            raise ValueError("a tariff needs at least one block")
        bounds = [b.up_to for b in self.blocks]
        if None in bounds[:-1]:
            raise ValueError("only the last tariff block may be unbounded")
        finite = [b for b in bounds if b is not None]
        if any(later <= earlier for earlier, later in itertools.pairwise(finite)):
            raise ValueError("tariff block bounds must increase")


@dataclass(frozen=True, slots=True)
class CostLine:
    """One concept of the supplier's bill. Without a tariff, `consumption_share` of `amount` goes by
    consumption and the rest by `fixed_key`. With a tariff, each unit pays its consumption at the tariff's
    prices and, when `amount` is given, the difference to it goes by `fixed_key`."""

    concept: str
    amount: Decimal | None
    consumption_share: Decimal = ONE
    fixed_key: FixedKey = FixedKey.COEFFICIENT
    tariff: Tariff | None = None

    def __post_init__(self) -> None:
        if self.tariff is None and self.amount is None:
            raise ValueError("a cost line without a tariff needs an amount")
        if not ZERO <= self.consumption_share <= ONE:
            raise ValueError("consumption_share must lie between 0 and 1")

    @property
    def needs_consumption(self) -> bool:
        return self.tariff is not None or self.consumption_share > 0


@dataclass(frozen=True, slots=True)
class AreaAverageEstimation:
    """Units without readings are estimated from the measured units' consumption per area, as long as
    their area stays within `max_area_share` of the metered area (HeizkostenV §9a: 25 %)."""

    max_area_share: Decimal = Decimal("0.25")


@dataclass(frozen=True, slots=True)
class SettlementRequest:
    costs: tuple[CostLine, ...]
    units: tuple[Unit, ...]
    service: Service = Service.OTHER
    currency: str = "EUR"
    period: Period | None = None
    estimation: AreaAverageEstimation | None = None

    @property
    def needs_consumption(self) -> bool:
        return any(line.needs_consumption for line in self.costs)
