"""A bounded load on loopback against `prorata api` under gunicorn on PostgreSQL (RabbitMQ as its broker):
residents reading their receipts and managers uploading files, mixed — a fixed number of requests over a
fixed time. Every request must succeed; the figures (throughput, p50/p99) are reported, not asserted:
speed on a shared machine is no test. `make bench` runs a bigger one (benchmarks/bench_operations.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.production import Production, deployment, production
from tests.load import run_load
from tests.load_world import load_world, mixed_plan

__all__ = ["deployment", "production"]  # the fixtures these tests use

REQUESTS = 200
RATE = 40  # requests per second: 5 s


def test_residents_reading_and_managers_uploading_get_no_error(
    deployment: Production, record_property: Callable[[str, object], None], capsys: pytest.CaptureFixture[str]
) -> None:
    api = deployment.api(workers=1)
    world = load_world(deployment.parts, api.base, residents=3)
    figures = run_load(api.base, mixed_plan(world, REQUESTS), RATE)
    record_property("load", figures.summary())
    with capsys.disabled():
        print(f"\nload on prorata api (1 gunicorn worker process, 4 threads): {figures.summary()}")
    assert figures.errors == [], (figures.errors[:5], deployment.logs())
    assert figures.requests == REQUESTS
    assert sum(len(v) for v in figures.latencies.values()) == REQUESTS
    assert figures.seconds < REQUESTS / RATE + 30  # bounded: it ends
