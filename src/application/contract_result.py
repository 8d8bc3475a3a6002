"""Settlement contract v1, JSON out: results and errors as plain JSON-ready dictionaries, and a result as
JSON text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice, repeat
from operator import attrgetter
from typing import Any

import orjson

from prorata.application.contract_result_text import ReceiptsText
from prorata.domain.money import plain, plain_all
from prorata.domain.problems import Problem
from prorata.domain.settlement.result import MeterTrace, Pool, Receipt, ReceiptLine, SettlementResult
from prorata.domain.settlement.warnings import warnings_of

# Receipts written at a time by `result_json_bytes`.
_BATCH = 2_000


def result_json(result: SettlementResult) -> dict[str, Any]:
    """The result as the contract's JSON object."""
    return _head(result) | {"receipts": receipt_objects(result.receipts), "warnings": _warnings(result)}


def result_json_bytes(result: SettlementResult, *, indent: bool = False) -> Iterator[bytes]:
    """The result as the contract's JSON text (UTF-8; with `indent`, two spaces a level, as
    `json.dumps(indent=2)` writes it), in pieces of a few thousand receipts: a large settlement's text
    (49 MB indented for 50,000 units) is never held whole. The receipts are written straight from the
    result's columns (contract_result_text)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    # The head and the warnings around an empty list of receipts, cut where the receipts go: a quote in
    # a string is escaped, so only the structure itself can read `"receipts": []`.
    empty = b'"receipts": []' if indent else b'"receipts":[]'
    before, after = orjson.dumps(
        _head(result) | {"receipts": [], "warnings": _warnings(result)}, option=option
    ).split(empty, 1)
    yield before + empty[:-1]
    receipts = ReceiptsText(result.columns, indent)
    count = len(result.columns.units)
    for start in range(0, count, _BATCH):
        items = receipts.text(start, start + _BATCH)
        yield items if start else items[1:]  # each receipt after a comma, but the first
    yield (b"\n  ]" if indent and count else b"]") + after


def _head(result: SettlementResult) -> dict[str, Any]:
    body: dict[str, Any] = {"service": result.service.value}
    if result.period is not None:
        body["period"] = {"from": result.period.start.isoformat(), "to": result.period.end.isoformat()}
    body |= {
        "currency": result.currency,
        "total": money_text(result.total),
        "pools": [_pool(pool) for pool in result.pools],
    }
    return body


def _warnings(result: SettlementResult) -> list[dict[str, str]]:
    return [{"code": w.code, "message": w.message} for w in warnings_of(result)]


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


def receipt_objects(receipts: Sequence[Receipt]) -> list[dict[str, Any]]:
    """The receipts as the contract's JSON objects, built column by column: each column of figures is
    formatted in one pass of C calls, then each row is one dict. (A Python call per figure, 13 of them a
    receipt, took longer than prorating the settlement.)"""
    if not receipts:
        return []
    units, totals, consumptions, estimated, lines, meters = zip(*receipts, strict=True)
    line_objects = iter(_line_objects(list(chain.from_iterable(lines))))
    meter_objects = iter(_meter_objects(list(chain.from_iterable(meters))))
    return [
        {
            "unit": unit,
            "total": total,
            "consumption": consumption,
            "estimated": unit_estimated,
            "lines": list(islice(line_objects, len(unit_lines))),
            "meters": list(islice(meter_objects, len(unit_meters))),
        }
        for unit, total, consumption, unit_estimated, unit_lines, unit_meters in zip(
            units, _amounts(totals), _quantities(consumptions), estimated, lines, meters, strict=True
        )
    ]


def _line_objects(lines: Sequence[ReceiptLine]) -> list[dict[str, Any]]:
    if not lines:
        return []
    concepts, parts, bases, weights, amounts, exact = zip(*lines, strict=True)
    return [
        {"concept": concept, "part": part, "basis": basis, "weight": weight, "amount": amount, "exact": share}
        for concept, part, basis, weight, amount, share in zip(
            concepts,
            map(attrgetter("value"), parts),
            bases,
            _quantities(weights),
            _amounts(amounts),
            _quantities(exact),
            strict=True,
        )
    ]


def _meter_objects(meters: Sequence[MeterTrace]) -> list[dict[str, Any]]:
    if not meters:
        return []
    serials, previous, current, factors, rolled_over, consumptions = zip(*meters, strict=True)
    return [
        {
            "meter": serial,
            "previous": before,
            "current": now,
            "factor": factor,
            "rolled_over": rolled,
            "consumption": consumption,
        }
        for serial, before, now, factor, rolled, consumption in zip(
            serials,
            _quantities(previous),
            _quantities(current),
            _quantities(factors),
            rolled_over,
            _quantities(consumptions),
            strict=True,
        )
    ]


def _amounts(amounts: Sequence[Decimal]) -> list[str]:
    """`money_text` of each amount in whole cents, as the engine makes them."""
    return list(map(format, amounts, repeat(".2f")))


def _quantities(values: Sequence[Decimal | None]) -> list[str | None]:
    """`plain` of each value; None stays None."""
    if None in values:
        texts = iter(plain_all([value for value in values if value is not None]))
        return [None if value is None else next(texts) for value in values]
    return plain_all(values)  # type: ignore[arg-type,return-value]  # no None in it


def money_text(amount: Decimal) -> str:
    """An amount as the contract writes it: two decimals, no exponent."""
    return format(amount.quantize(Decimal("0.01")), "f")
