"""What a receipt document is built from, gathered by the application in a few batched queries, and the
pure rules that pick among what was gathered: who pays, which period is a year earlier, each pool's
totals, the community's average consumption per m²."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, localcontext
from typing import Any

from prorata.domain.community.model import Community, CommunityUnit, MeterReading, OccupancyRole, Resident
from prorata.domain.receipts.lifecycle import ReceiptEvent
from prorata.domain.receipts.receipt import IssuedReceipt
from prorata.domain.settlement.request import Period
from prorata.domain.settlement.stored import Settlement

_EXACT = Context(prec=200)
_QUOTIENT = Context(prec=40)


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """What every view of a receipt shows besides its own row (JSON and PDF alike)."""

    receipt: IssuedReceipt
    settlement: Settlement
    community: Community
    unit: CommunityUnit
    payer: Resident | None


@dataclass(frozen=True, slots=True)
class PoolTotal:
    """One pool of the settlement, as its receipts add up: the amount shared and the total weight."""

    amount: Decimal
    weight: Decimal


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """Besides the receipt's facts: its history; its settlement's pools (by line position); the readings
    of the unit's meters of the service, by serial; the unit's consumption in the same period a year
    earlier, and the community's consumption per m² over its measured units, when known; the debit date
    of each presentation a remittance made (its collection date), by history entry id."""

    facts: ReceiptFacts
    history: tuple[ReceiptEvent, ...] = ()
    pools: tuple[PoolTotal, ...] = ()
    readings: Mapping[str, Sequence[MeterReading]] = field(default_factory=dict)
    last_year: Decimal | None = None
    average_per_area: Decimal | None = None
    debit_dates: Mapping[str, date] = field(default_factory=dict)


def payer_of(
    residents: Iterable[Resident], unit_id: str, period: Period, issued_on: date | None
) -> Resident | None:
    """The owner holding the unit on the period's last day, else on the day of issue; of several, the one
    whose ownership began last (then by name)."""
    owners = [
        (occupancy, resident)
        for resident in residents
        for occupancy in resident.occupancies
        if occupancy.unit_id == unit_id and occupancy.role is OccupancyRole.OWNER
    ]
    for day in (period.end, issued_on):
        if day is None:
            continue
        holding = [(o, r) for o, r in owners if o.covers(day)]
        if holding:
            holding.sort(
                key=lambda held: (-(held[0].since or date.min).toordinal(), held[1].name, held[1].id)
            )
            return holding[0][1]
    return None


def year_before(period: Period) -> Period:
    """The same period one year earlier (29 February falls back to the 28th)."""
    return Period(_year_before(period.start), _year_before(period.end))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def pool_totals(details: Iterable[dict[str, Any]]) -> tuple[PoolTotal, ...]:
    """Each pool's amount and total weight from every receipt of one settlement: the i-th line of every
    receipt is its share of the i-th pool, and the shares add up to the pool exactly."""
    amounts: list[Decimal] = []
    weights: list[Decimal] = []
    with localcontext(_EXACT):
        for detail in details:
            for position, line in enumerate(detail.get("lines", ())):
                if position == len(amounts):
                    amounts.append(Decimal(0))
                    weights.append(Decimal(0))
                amounts[position] += Decimal(line["amount"])
                weights[position] += Decimal(line["weight"])
    return tuple(PoolTotal(a, w) for a, w in zip(amounts, weights, strict=True))


def consumption_of(detail: dict[str, Any]) -> Decimal | None:
    value = detail.get("consumption")
    return None if value is None else Decimal(value)


def measured(detail: dict[str, Any]) -> bool:
    """Whether the receipt's consumption came from meter readings (not estimated, not unmetered)."""
    return (
        bool(detail.get("meters")) and not detail.get("estimated") and detail.get("consumption") is not None
    )


def average_per_area(units: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Σ consumption / Σ area over (consumption, area) of the measured units with an area; None when
    they have no area at all."""
    with localcontext(_EXACT):
        consumption, area = Decimal(0), Decimal(0)
        for used, size in units:
            if size is not None and size > 0:
                consumption += used
                area += size
    if area == 0:
        return None
    with localcontext(_QUOTIENT):
        return consumption / area
