"""Benchmark: a 50,000-unit settlement through the engine, against merely loading the same request.

Both are measured in this one run, so the ratio holds across machines. Run with `make bench`."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any

from prorata.application.contract_request import parse_request
from prorata.domain.settlement.engine import prorate

UNITS = 50_000
ROUNDS = 3


def build_request(units: int) -> str:
    rng = random.Random(2026)
    tariff = {
        "blocks": [
            {"up_to": "10", "price": "0.4520"},
            {"up_to": "20", "price": "0.9010"},
            {"up_to": None, "price": "1.6120"},
        ]
    }
    request: dict[str, Any] = {
        "service": "heating",
        "consumption_share": "0.70",
        "fixed_key": "coefficient",
        "estimation": {"method": "area_average", "max_area_share": "0.25"},
        "costs": [
            {"concept": "Gasóleo", "amount": "6123456.45"},
            {
                "concept": "Mantenimiento",
                "amount": "48000.00",
                "consumption_share": "0",
                "fixed_key": "equal",
            },
            {"concept": "Agua", "amount": "180750.75", "tariff": tariff, "fixed_key": "area"},
        ],
        "units": [],
    }
    for index in range(units):
        previous = rng.randint(0, 90_000)
        unit: dict[str, Any] = {
            "unit": f"U{index:06d}",
            "coefficient": f"{rng.randint(100, 3000) / 100:.2f}",
            "area": str(rng.randint(40, 180)),
        }
        if index % 50:  # one unit in fifty has no reading and is estimated
            unit["readings"] = [
                {
                    "meter": f"HC-{index}",
                    "previous": f"{previous}.{rng.randint(0, 999):03d}",
                    "current": f"{previous + rng.randint(1, 400)}.{rng.randint(0, 999):03d}",
                    "factor": "1.25",
                }
            ]
        request["units"].append(unit)
    return json.dumps(request)


def best_of(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    text = build_request(UNITS)
    load = best_of(ROUNDS, lambda: parse_request(json.loads(text)))
    request = parse_request(json.loads(text))
    engine = best_of(ROUNDS, lambda: prorate(request))
    result = prorate(request)
    assert sum(r.total for r in result.receipts) == result.total
    print(f"settlement of {UNITS} units, 3 cost lines (6 pools), best of {ROUNDS}")
    print(f"  load request (JSON + contract): {load:8.3f} s  {UNITS / load:10,.0f} units/s")
    print(f"  prorate (engine):               {engine:8.3f} s  {UNITS / engine:10,.0f} units/s")
    print(f"  ratio engine / load:            {engine / load:8.2f}")


if __name__ == "__main__":
    main()
