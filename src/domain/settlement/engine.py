"""The proration engine: settlement contract v1, exact to the cent."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from typing import Any, TypeVar

from prorata.domain.money import amounts_from_cents, from_cents, round_half_up, to_cents
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.settlement.consumption import Measurement, measure
from prorata.domain.settlement.keys import key_weights
from prorata.domain.settlement.largest_remainder import share
from prorata.domain.settlement.request import CostLine, FixedKey, SettlementRequest
from prorata.domain.settlement.result import Part, Pool, Receipt, ReceiptLine, SettlementResult
from prorata.domain.settlement.tariff import tariff_amount

_Row = TypeVar("_Row", bound=tuple[Any, ...])

# Inputs are bounded in digits, so this precision keeps every product and sum exact.
_EXACT = Context(prec=200)


@dataclass(frozen=True, slots=True)
class _Shared:
    """A pool with each unit's weight, exact share and share in cents, in the order of the units."""

    pool: Pool
    weights: Sequence[Decimal]
    exact: Sequence[Decimal]
    cents: Sequence[int]


def prorate(request: SettlementRequest) -> SettlementResult:
    """Share every cost line of `request` among its units. Raises InvalidInput with every problem found."""
    with localcontext(_EXACT):
        return _Proration(request).run()


class _Proration:
    def __init__(self, request: SettlementRequest) -> None:
        self.request = request
        self.measurement: Measurement = measure(request)
        self.problems: list[Problem] = list(self.measurement.problems)
        self._keys: dict[FixedKey, list[Decimal] | None] = {}
        self.consumptions_known = not self.problems
        self.billed = Decimal("0.00")

    def run(self) -> SettlementResult:
        shared: list[_Shared] = []
        for line in self.request.costs:
            shared.extend(self._share_line(line))
        if self.problems:
            raise InvalidInput(self.problems)
        return self._result(shared)

    def _share_line(self, line: CostLine) -> list[_Shared]:
        if line.tariff is not None:
            return self._share_tariff_line(line)
        assert line.amount is not None
        self.billed += line.amount
        consumption_part = round_half_up(line.amount * line.consumption_share, 2)
        fixed_part = line.amount - consumption_part
        shared = []
        if consumption_part != 0:
            shared.extend(self._share_consumption(line, consumption_part))
        if fixed_part != 0:
            shared.extend(self._share_by_key(line, Part.FIXED, fixed_part))
        return shared

    def _share_consumption(self, line: CostLine, amount: Decimal) -> list[_Shared]:
        weights = self._consumption_weights()
        if weights is None:
            return []
        if sum(weights) == 0:
            return self._share_by_key(line, Part.CONSUMPTION, amount, fallback=True)
        return self._share(line, Part.CONSUMPTION, amount, "consumption", weights)

    def _share_tariff_line(self, line: CostLine) -> list[_Shared]:
        assert line.tariff is not None
        weights = self._consumption_weights()
        if weights is None:
            return []
        exact = [tariff_amount(line.tariff, w) for w in weights]
        cents = [to_cents(round_half_up(amount, 2)) for amount in exact]
        priced = from_cents(sum(cents))
        self.billed += priced if line.amount is None else line.amount
        pool = Pool(line.concept, Part.TARIFF, priced, "tariff", sum(weights, Decimal(0)))
        shared = [_Shared(pool, weights, exact, cents)]
        if line.amount is not None and line.amount != priced:
            shared.extend(self._share_by_key(line, Part.DIFFERENCE, line.amount - priced))
        return shared

    def _share_by_key(
        self, line: CostLine, part: Part, amount: Decimal, fallback: bool = False
    ) -> list[_Shared]:
        if line.fixed_key not in self._keys:
            weights, problems = key_weights(line.fixed_key, self.request.units)
            self._keys[line.fixed_key] = weights
            self.problems.extend(problems)
        weights = self._keys[line.fixed_key]
        if weights is None:
            return []
        return self._share(line, part, amount, line.fixed_key.value, weights, fallback)

    def _share(
        self,
        line: CostLine,
        part: Part,
        amount: Decimal,
        basis: str,
        weights: Sequence[Decimal],
        fallback: bool = False,
    ) -> list[_Shared]:
        total_weight = sum(weights, Decimal(0))
        if total_weight == 0:
            self.problems.append(
                Problem(
                    ErrorCode.ZERO_TOTAL_WEIGHT,
                    f"{line.concept} ({part.value}): no unit has any {basis} to share {amount} by",
                )
            )
            return []
        pool = Pool(line.concept, part, amount, basis, total_weight, fallback)
        shares = share(to_cents(amount), weights)
        return [_Shared(pool, weights, shares.exact, shares.cents)]

    def _consumption_weights(self) -> list[Decimal] | None:
        if not self.consumptions_known:
            return None
        return [c.value if c.value is not None else Decimal(0) for c in self.measurement.consumptions]

    def _result(self, shared: list[_Shared]) -> SettlementResult:
        # Built column by column (one pool at a time), then turned into rows with zip: a settlement of
        # 50,000 units has 100,000s of lines, and per-line Python calls are what cost.
        columns = [_lines(s) for s in shared]
        lines_of = zip(*columns, strict=True) if columns else itertools.repeat(())
        totals = map(sum, zip(*(s.cents for s in shared), strict=True)) if shared else itertools.repeat(0)
        consumptions = self.measurement.consumptions
        receipts = tuple(
            _rows_of(
                Receipt,
                [unit.code for unit in self.request.units],
                amounts_from_cents(totals),
                [c.value for c in consumptions],
                [c.estimated for c in consumptions],
                lines_of,
                [c.meters for c in consumptions],
            )
        )
        return SettlementResult(
            currency=self.request.currency,
            total=self.billed,
            pools=tuple(s.pool for s in shared),
            receipts=receipts,
            service=self.request.service,
            period=self.request.period,
        )


def _rows_of(kind: type[_Row], *columns: Iterable[Any]) -> Iterator[_Row]:
    """Named tuples of `kind` from columns of their fields, built without a Python call each (the named
    tuple's own constructor is a Python function; tuple's is not)."""
    fields = zip(*columns, strict=False)  # a column given by repeat() is endless
    return map(tuple.__new__, itertools.repeat(kind), fields)


def _lines(shared: _Shared) -> list[ReceiptLine]:
    pool = shared.pool
    return list(
        _rows_of(
            ReceiptLine,
            itertools.repeat(pool.concept),
            itertools.repeat(pool.part),
            itertools.repeat(pool.basis),
            shared.weights,
            amounts_from_cents(shared.cents),
            shared.exact,
        )
    )
