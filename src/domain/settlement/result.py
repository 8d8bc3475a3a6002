"""A prorated settlement: its pools and one receipt per unit, with the calculation trace behind them.

The engine makes a settlement's receipts column by column (every unit's share of a pool is one pass over
the units), and so they stay: a large settlement's output is written from its columns, and its receipts
as rows (`Receipt`, with its `ReceiptLine`s and `MeterTrace`s) are made only when someone reads them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar, overload

from prorata.domain.money import amounts_from_cents, from_cents
from prorata.domain.settlement.request import Period, Service

_Row = TypeVar("_Row", bound=tuple[Any, ...])
# Wide enough that turning any bounded number of cents (or millionths) into an amount is exact.
_EXACT = Context(prec=200)
_MILLIONTH = Decimal("0.000001")


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


class Millionths(Sequence[Decimal]):
    """Exact shares as whole millionths of the currency (`ints`), read as decimals: a large settlement's
    150,000 shares are written from the integers, and made decimals only when a receipt is read."""

    __slots__ = ("ints",)

    def __init__(self, ints: list[int]) -> None:
        self.ints = ints

    def __len__(self) -> int:
        return len(self.ints)

    @overload
    def __getitem__(self, index: int) -> Decimal: ...
    @overload
    def __getitem__(self, index: slice) -> Millionths: ...
    def __getitem__(self, index: int | slice) -> Decimal | Millionths:
        if isinstance(index, slice):
            return Millionths(self.ints[index])
        return _EXACT.multiply(_MILLIONTH, self.ints[index])

    def __iter__(self) -> Iterator[Decimal]:
        return map(_EXACT.multiply, itertools.repeat(_MILLIONTH), self.ints)


class PoolShares(NamedTuple):
    """One pool shared among the units: each unit's weight, share in cents and exact share (before
    rounding), in the order of the units."""

    pool: Pool
    weights: Sequence[Decimal]
    cents: Sequence[int]
    exact: Sequence[Decimal]


class MeterColumns(NamedTuple):
    """Every unit's meter traces, one after the other in the order of the units (`counts[i]` of them for
    unit i), a column per MeterTrace field."""

    counts: Sequence[int]
    meters: Sequence[str | None]
    previous: Sequence[Decimal | None]
    current: Sequence[Decimal | None]
    factors: Sequence[Decimal]
    rolled_over: Sequence[bool]
    consumptions: Sequence[Decimal]

    @classmethod
    def none(cls, units: int) -> MeterColumns:
        return cls([0] * units, [], [], [], [], [], [])


@dataclass(frozen=True, slots=True)
class ReceiptColumns:
    """Every unit's receipt, a column per field, in the order of the units: `totals` in cents, and a
    pool's lines in `shares` (one per pool, in the order of the pools)."""

    units: Sequence[str]
    totals: Sequence[int]
    consumptions: Sequence[Decimal | None]
    estimated: Sequence[bool]
    shares: Sequence[PoolShares]
    meters: MeterColumns
    _rows: list[tuple[Receipt, ...]] = field(default_factory=list, repr=False, compare=False)

    def rows(self) -> tuple[Receipt, ...]:
        """The receipts as rows, made on first use (named tuples built without a Python call each)."""
        if not self._rows:
            with localcontext(_EXACT):
                self._rows.append(tuple(self._make_rows()))
        return self._rows[0]

    def _make_rows(self) -> Iterator[Receipt]:
        columns = [_lines(shares) for shares in self.shares]
        lines = zip(*columns, strict=True) if columns else itertools.repeat(())
        return _rows_of(
            Receipt,
            self.units,
            amounts_from_cents(self.totals),
            self.consumptions,
            self.estimated,
            lines,
            _traces(self.meters),
        )


@dataclass(frozen=True, slots=True)
class SettlementResult:
    currency: str
    total: Decimal
    pools: tuple[Pool, ...]
    columns: ReceiptColumns
    service: Service = Service.OTHER
    period: Period | None = None

    @property
    def receipts(self) -> tuple[Receipt, ...]:
        return self.columns.rows()

    @property
    def receipts_total(self) -> Decimal:
        with localcontext(_EXACT):
            return from_cents(sum(self.columns.totals))


def _rows_of(kind: type[_Row], *columns: Iterable[Any]) -> Iterator[_Row]:
    """Named tuples of `kind` from columns of their fields, built without a Python call each (the named
    tuple's own constructor is a Python function; tuple's is not)."""
    fields = zip(*columns, strict=False)  # a column given by repeat() is endless
    return map(tuple.__new__, itertools.repeat(kind), fields)


def _lines(shares: PoolShares) -> list[ReceiptLine]:
    pool = shares.pool
    return list(
        _rows_of(
            ReceiptLine,
            itertools.repeat(pool.concept),
            itertools.repeat(pool.part),
            itertools.repeat(pool.basis),
            shares.weights,
            amounts_from_cents(shares.cents),
            shares.exact,
        )
    )


def _traces(meters: MeterColumns) -> Iterator[tuple[MeterTrace, ...]]:
    """Each unit's traces, as a tuple."""
    traces = _rows_of(MeterTrace, *meters[1:])
    if not any(meters.counts):
        return itertools.repeat(())
    return (tuple(itertools.islice(traces, count)) for count in meters.counts)
