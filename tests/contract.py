"""Helpers that run contract v1 JSON through the engine, as the CLI and the API do."""

from __future__ import annotations

from typing import Any

from prorata.application.contract_request import parse_request
from prorata.application.contract_result import errors_json, result_json
from prorata.domain.problems import InvalidInput
from prorata.domain.settlement.engine import prorate


def settle(request: dict[str, Any]) -> dict[str, Any]:
    return result_json(prorate(parse_request(request)))


def errors(request: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        settle(request)
    except InvalidInput as error:
        found: list[dict[str, Any]] = errors_json(error.problems)["errors"]
        return found
    raise AssertionError("the request was accepted")


def codes(request: dict[str, Any]) -> list[str]:
    return [e["code"] for e in errors(request)]


def totals(result: dict[str, Any]) -> dict[str, str]:
    return {r["unit"]: r["total"] for r in result["receipts"]}


def line_amounts(result: dict[str, Any], concept: str, part: str) -> list[str]:
    return [
        line["amount"]
        for receipt in result["receipts"]
        for line in receipt["lines"]
        if line["concept"] == concept and line["part"] == part
    ]


def unit(code: str, coefficient: str = "1", area: str = "50", **extra: Any) -> dict[str, Any]:
    return {"unit": code, "coefficient": coefficient, "area": area, **extra}


def read(meter: str, previous: str, current: str, **extra: Any) -> dict[str, Any]:
    return {"meter": meter, "previous": previous, "current": current, **extra}
