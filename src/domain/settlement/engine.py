"""The proration engine: settlement contract v1, exact to the cent."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Context, Decimal, localcontext
from operator import attrgetter

from prorata.domain.money import from_cents, round_half_up, to_cents
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.settlement.consumption import Measurement, holds_none, measure
from prorata.domain.settlement.keys import key_weights
from prorata.domain.settlement.largest_remainder import share
from prorata.domain.settlement.request import CostLine, FixedKey, SettlementRequest
from prorata.domain.settlement.result import Part, Pool, PoolShares, ReceiptColumns, SettlementResult
from prorata.domain.settlement.tariff import tariff_amount

# Inputs are bounded in digits, so this precision keeps every product and sum exact.
_EXACT = Context(prec=200)


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
        self._consumptions: list[Decimal] | None = None
        self.consumptions_known = not self.problems
        self.billed = Decimal("0.00")

    def run(self) -> SettlementResult:
        shared: list[PoolShares] = []
        for line in self.request.costs:
            shared.extend(self._share_line(line))
        if self.problems:
            raise InvalidInput(self.problems)
        return self._result(shared)

    def _share_line(self, line: CostLine) -> list[PoolShares]:
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

    def _share_consumption(self, line: CostLine, amount: Decimal) -> list[PoolShares]:
        weights = self._consumption_weights()
        if weights is None:
            return []
        if sum(weights) == 0:
            return self._share_by_key(line, Part.CONSUMPTION, amount, fallback=True)
        return self._share(line, Part.CONSUMPTION, amount, "consumption", weights)

    def _share_tariff_line(self, line: CostLine) -> list[PoolShares]:
        assert line.tariff is not None
        weights = self._consumption_weights()
        if weights is None:
            return []
        exact = [tariff_amount(line.tariff, w) for w in weights]
        cents = [to_cents(round_half_up(amount, 2)) for amount in exact]
        priced = from_cents(sum(cents))
        self.billed += priced if line.amount is None else line.amount
        pool = Pool(line.concept, Part.TARIFF, priced, "tariff", sum(weights, Decimal(0)))
        shared = [PoolShares(pool, weights, cents, exact)]
        if line.amount is not None and line.amount != priced:
            shared.extend(self._share_by_key(line, Part.DIFFERENCE, line.amount - priced))
        return shared

    def _share_by_key(
        self, line: CostLine, part: Part, amount: Decimal, fallback: bool = False
    ) -> list[PoolShares]:
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
    ) -> list[PoolShares]:
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
        return [PoolShares(pool, weights, shares.cents, shares.exact)]

    def _consumption_weights(self) -> list[Decimal] | None:
        """Each unit's consumption, 0 for a unit without one; None when the readings had problems."""
        if not self.consumptions_known:
            return None
        if self._consumptions is None:
            values = self.measurement.values
            if holds_none(values):
                self._consumptions = [Decimal(0) if value is None else value for value in values]
            else:
                self._consumptions = values  # type: ignore[assignment]  # no None in it
        return self._consumptions

    def _result(self, shared: list[PoolShares]) -> SettlementResult:
        units = self.request.units
        totals = list(map(sum, zip(*(s.cents for s in shared), strict=True))) if shared else [0] * len(units)
        measured = self.measurement
        columns = ReceiptColumns(
            list(map(attrgetter("code"), units)),
            totals,
            measured.values,
            measured.estimated,
            tuple(shared),
            measured.meters,
        )
        return SettlementResult(
            currency=self.request.currency,
            total=self.billed,
            pools=tuple(s.pool for s in shared),
            columns=columns,
            service=self.request.service,
            period=self.request.period,
        )
