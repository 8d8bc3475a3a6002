"""A settlement for a person to read: every unit's consumption, lines and total, the pools, the check."""

from __future__ import annotations

from decimal import Decimal

from prorata.application.contract_result import money_text
from prorata.domain.money import plain
from prorata.domain.problems import Problem
from prorata.domain.settlement.result import MeterTrace, Pool, Receipt, SettlementResult
from prorata.domain.settlement.warnings import warnings_of


def settlement_text(result: SettlementResult) -> str:
    period = f" · {result.period.start} to {result.period.end}" if result.period else ""
    out = [f"Settlement · {result.service.value}{period} · {result.currency}", "", "Pools"]
    width = max((len(p.concept) for p in result.pools), default=0)
    out += [_pool(pool, width) for pool in result.pools]
    out += ["", "Receipts"]
    for receipt in result.receipts:
        out += _receipt(receipt, width, result.currency)
    balanced = result.receipts_total == result.total
    mark = "=" if balanced else "≠"
    verdict = "receipts add up to the bill" if balanced else "RECEIPTS DO NOT ADD UP"
    out += [
        "",
        f"Check: Σ receipts {money_text(result.receipts_total)} {mark} Σ costs {money_text(result.total)} "
        f"{result.currency}: {verdict}",
    ]
    out += [f"Warning ({warning.code}): {warning.message}" for warning in warnings_of(result)]
    return "\n".join(out)


def problems_text(problems: tuple[Problem, ...]) -> str:
    lines = [f"{len(problems)} error(s):"]
    lines += [f"  [{p.code.value}] {p.message}" for p in problems]
    return "\n".join(lines)


def _pool(pool: Pool, width: int) -> str:
    rule = f"by {pool.basis}" + (" (nothing consumed)" if pool.fallback else "")
    rate = ""
    if pool.total_weight:
        per_unit = _rate(pool.amount / pool.total_weight)
        rate = f"  {money_text(pool.amount)} / {plain(pool.total_weight)} = {per_unit}"
    return f"  {pool.concept:<{width}}  {pool.part.value:<11} {money_text(pool.amount):>12}  {rule}{rate}"


def _receipt(receipt: Receipt, width: int, currency: str) -> list[str]:
    if receipt.consumption is None:
        consumption = "no consumption part"
    else:
        consumption = f"consumption {plain(receipt.consumption)}" + (
            " (estimated)" if receipt.estimated else ""
        )
    out = [f"  {receipt.unit} · {consumption}"]
    out += [f"      meter {_meter(m)}" for m in receipt.meters]
    for line in receipt.lines:
        share = f"{plain(line.weight)} by {line.basis}"
        out.append(
            f"    {line.concept:<{width}}  {line.part.value:<11} {share:<28} {money_text(line.amount):>12}"
        )
    out.append(f"    {'':<{width}}  {'total':<11} {'':<28} {money_text(receipt.total):>12} {currency}")
    return out


def _meter(meter: MeterTrace) -> str:
    name = meter.meter or "(no serial)"
    if meter.previous is None or meter.current is None:
        base = plain(meter.consumption / meter.factor) if meter.factor else "0"
        formula = f"consumption {base}"
    else:
        wrapped = " + rollover" if meter.rolled_over else ""
        formula = f"({plain(meter.current)}{wrapped} − {plain(meter.previous)})"
    return f"{name}: {formula} × {plain(meter.factor)} = {plain(meter.consumption)}"


def _rate(value: Decimal) -> str:
    return plain(value.quantize(Decimal("0.000001")))
