"""Settlement contract v1, JSON out: results and errors as plain JSON-ready dictionaries."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from prorata.domain.money import plain
from prorata.domain.problems import Problem
from prorata.domain.settlement.result import MeterTrace, Pool, Receipt, ReceiptLine, SettlementResult
from prorata.domain.settlement.warnings import warnings_of


def result_json(result: SettlementResult) -> dict[str, Any]:
    body: dict[str, Any] = {"service": result.service.value}
    if result.period is not None:
        body["period"] = {"from": result.period.start.isoformat(), "to": result.period.end.isoformat()}
    body |= {
        "currency": result.currency,
        "total": money_text(result.total),
        "pools": [_pool(pool) for pool in result.pools],
        "receipts": [_receipt(receipt) for receipt in result.receipts],
        "warnings": [{"code": w.code, "message": w.message} for w in warnings_of(result)],
    }
    return body


def errors_json(problems: Iterable[Problem]) -> dict[str, Any]:
    return {"errors": [problem_json(p) for p in problems]}


def problem_json(problem: Problem) -> dict[str, Any]:
    body: dict[str, Any] = {"code": problem.code.value, "message": problem.message}
    for name in ("unit", "meter", "row", "column", "field"):
        value = getattr(problem, name)
        if value is not None:
            body[name] = value
    return body


def _pool(pool: Pool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "concept": pool.concept,
        "part": pool.part.value,
        "amount": money_text(pool.amount),
        "basis": pool.basis,
        "total_weight": plain(pool.total_weight),
    }
    if pool.fallback:
        body["fallback"] = True
    return body


def _receipt(receipt: Receipt) -> dict[str, Any]:
    return {
        "unit": receipt.unit,
        "total": money_text(receipt.total),
        "consumption": None if receipt.consumption is None else plain(receipt.consumption),
        "estimated": receipt.estimated,
        "lines": [_line(line) for line in receipt.lines],
        "meters": [_meter(meter) for meter in receipt.meters],
    }


def _line(line: ReceiptLine) -> dict[str, Any]:
    return {
        "concept": line.concept,
        "part": line.part.value,
        "basis": line.basis,
        "weight": plain(line.weight),
        "amount": money_text(line.amount),
        "exact": plain(line.exact),
    }


def _meter(meter: MeterTrace) -> dict[str, Any]:
    return {
        "meter": meter.meter,
        "previous": None if meter.previous is None else plain(meter.previous),
        "current": None if meter.current is None else plain(meter.current),
        "factor": plain(meter.factor),
        "rolled_over": meter.rolled_over,
        "consumption": plain(meter.consumption),
    }


def money_text(amount: Decimal) -> str:
    """An amount as the contract writes it: two decimals, no exponent."""
    return format(amount.quantize(Decimal("0.01")), "f")
