"""The distribution sheet of a settlement, for the manager and the community's board: every unit's share of
every pool and its total, the pools with their rates, and the check that the receipts add up to the bill.

A draft's sheet shows its current computation; a published one's shows its receipts as they were issued
(their stored lines), so the board reads exactly what the residents were charged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from prorata.domain.community.model import Community, CommunityUnit, UnitKind
from prorata.domain.money import round_half_up
from prorata.domain.settlement.request import CostLine, FixedKey
from prorata.domain.settlement.result import Part, Pool, Receipt
from prorata.domain.settlement.stored import Settlement

# A rate is shown to a millionth of the currency per unit of weight: enough to recompute any share of a
# pool to the cent for weights up to 10,000 (a share is rounded from the exact rate, never from this one).
RATE_PLACES = 6
_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class SheetPool:
    """A pool as the sheet shows it. `fallback`: a consumption part shared by the fixed key `basis`
    because nothing was consumed."""

    concept: str
    part: Part
    basis: str
    amount: Decimal
    total_weight: Decimal
    fallback: bool = False

    @property
    def rate(self) -> Decimal | None:
        """The amount per unit of weight (per kWh, per coefficient point, per m², per unit), rounded half
        up to RATE_PLACES; None when nothing weighs."""
        if self.total_weight == 0:
            return None
        return round_half_up(Fraction(self.amount) / Fraction(self.total_weight), RATE_PLACES)


class SheetRow(NamedTuple):
    """One unit: its keys, consumption (None: no consumption part), its share of each pool in the order of
    the sheet's pools, and its total. A named tuple: a large community has thousands."""

    code: str
    kind: UnitKind | None
    coefficient: Decimal | None
    area: Decimal | None
    consumption: Decimal | None
    estimated: bool
    amounts: tuple[Decimal, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class Distribution:
    """`bill` is what the supplier's bill shares out: the sum of the cost lines' amounts (a tariff line
    without an amount: what its tariff priced)."""

    settlement: Settlement
    community: Community
    currency: str
    pools: tuple[SheetPool, ...]
    rows: tuple[SheetRow, ...]
    bill: Decimal

    @property
    def pool_totals(self) -> tuple[Decimal, ...]:
        if not self.rows:
            return (_ZERO,) * len(self.pools)
        return tuple(sum(column, _ZERO) for column in zip(*(r.amounts for r in self.rows), strict=True))

    @property
    def receipts_total(self) -> Decimal:
        return sum((row.total for row in self.rows), _ZERO)

    @property
    def difference(self) -> Decimal:
        """Σ receipts − bill: zero, to the cent, when the receipts add up to the bill."""
        return self.receipts_total - self.bill

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    def key_total(self, name: str) -> Decimal | None:
        """The sum of a key column (`coefficient`, `area`, `consumption`) over the units that have it."""
        values = [getattr(row, name) for row in self.rows if getattr(row, name) is not None]
        return sum(values, Decimal(0)) if values else None


def distribution(
    settlement: Settlement,
    community: Community,
    currency: str,
    units: Sequence[CommunityUnit | None],
    pools: Sequence[Pool],
    receipts: Sequence[Receipt],
    bill: Decimal,
) -> Distribution:
    """The sheet of `receipts` (one per unit, each with a line per pool in the order of `pools`), with
    `units[i]` the record of `receipts[i]`'s unit (None if unknown). The coefficient and area shown are
    the weights the receipt was shared by, when a pool went by them; the unit's record otherwise."""
    rows = tuple(_row(unit, receipt) for unit, receipt in zip(units, receipts, strict=True))
    return Distribution(settlement, community, currency, tuple(_sheet_pool(p) for p in pools), rows, bill)


def pools_of(receipts: Sequence[Receipt]) -> tuple[Pool, ...]:
    """The pools stored receipts were shared from: each receipt has one line per pool, in pool order, so a
    pool's amount and total weight are the sums of its lines."""
    if not receipts:
        return ()
    columns = zip(*(r.lines for r in receipts), strict=True)
    pools = []
    for lines in columns:
        first = lines[0]
        pools.append(
            Pool(
                concept=first.concept,
                part=first.part,
                amount=sum((line.amount for line in lines), _ZERO),
                basis=first.basis,
                total_weight=sum((line.weight for line in lines), Decimal(0)),
                fallback=first.part is Part.CONSUMPTION and first.basis != "consumption",
            )
        )
    return tuple(pools)


def bill_of(costs: Sequence[CostLine], pools: Sequence[Pool]) -> Decimal:
    """The bill the pools share: each cost line's amount, or for a tariff line without one what its tariff
    priced (the k-th tariff line made the k-th tariff pool)."""
    priced = iter([pool.amount for pool in pools if pool.part is Part.TARIFF])
    total = _ZERO
    for line in costs:
        tariff_pool = next(priced, _ZERO) if line.tariff is not None else None
        if line.amount is not None:
            total += line.amount
        elif tariff_pool is not None:
            total += tariff_pool
    return total


def _sheet_pool(pool: Pool) -> SheetPool:
    return SheetPool(pool.concept, pool.part, pool.basis, pool.amount, pool.total_weight, pool.fallback)


def _row(unit: CommunityUnit | None, receipt: Receipt) -> SheetRow:
    used = {line.basis: line.weight for line in receipt.lines}
    coefficient = used.get(FixedKey.COEFFICIENT.value, unit.coefficient if unit else None)
    area = used.get(FixedKey.AREA.value, unit.area if unit else None)
    return SheetRow(
        code=receipt.unit,
        kind=unit.kind if unit else None,
        coefficient=coefficient,
        area=area,
        consumption=receipt.consumption,
        estimated=receipt.estimated,
        amounts=tuple(line.amount for line in receipt.lines),
        total=receipt.total,
    )
