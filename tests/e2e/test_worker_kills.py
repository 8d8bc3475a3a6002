"""A `prorata worker` on PostgreSQL and RabbitMQ killed with SIGKILL 8 times in a row (PRORATA_KILLS sets
how many), each time at a random point of an import (seeded): nothing lost, nothing duplicated, every file
settled exactly once.

One worker, restarted after each kill, and small files keep it cheap: each round uploads a new file, waits
for the worker to claim it and kills it a random delay later — within the time an import takes, measured on
a first file nobody kills. A file killed mid-import is taken over once its lease runs out."""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy import text

from prorata.entrypoints.api.app import create_app
from tests.api_client import Caller
from tests.e2e.production import Production, deployment, production, wait_until
from tests.integration.notification_world import events_of
from tests.production_files import community_workbook

__all__ = ["deployment", "production"]  # the fixtures these tests use

SEED = 20260331
# Each round restarts the worker (an interpreter and its imports: most of a round's CPU); 8 rounds kill it
# mid-import as surely as 20 did on this seed. `PRORATA_KILLS=20` for the longer run.
KILLS = int(os.environ.get("PRORATA_KILLS", "8"))
UNITS = 3
# An import here takes well under a second; the lease leaves room for a machine busy with other tests.
LEASE = {"PRORATA_IMPORT_LEASE_SECONDS": "8"}


def test_a_worker_killed_again_and_again_mid_import_loses_nothing_and_duplicates_nothing(
    deployment: Production,
) -> None:
    rng = random.Random(SEED)
    tenant, key = deployment.tenant()
    app: Flask = create_app(deployment.parts)
    manager = Caller(app.test_client(), key)
    worker = deployment.worker(threads=1, env=LEASE)

    calibration = upload(manager, 0)
    wait_until(lambda: status(deployment, calibration) != "received", 30, deployment.logs, every=0.005)
    started = time.monotonic()
    wait_until(lambda: status(deployment, calibration) == "settled", 30, deployment.logs, every=0.005)
    takes = time.monotonic() - started  # from its claim to its outcome

    killed_while: Counter[str] = Counter()
    for n in range(1, KILLS + 1):
        job = upload(manager, n)
        wait_until(partial(claimed, deployment, job), 30, deployment.logs, every=0.005)
        time.sleep(rng.uniform(0, takes))
        worker.kill()
        killed_while[status(deployment, job)] += 1
        worker = deployment.worker(threads=1, env=LEASE)
    assert killed_while["parsing"] + killed_while["validated"] > 0, killed_while  # some mid-import

    files = KILLS + 1

    def settled() -> list[dict[str, Any]] | None:
        jobs: list[dict[str, Any]] = manager.get("/v1/imports?page_size=500").get_json()
        return jobs if [j["status"] for j in jobs] == ["settled"] * files else None

    jobs = wait_until(settled, 60, lambda: f"{manager.get('/v1/imports').get_json()}\n{deployment.logs()}")
    # By the API: one import per file, each with one settlement; one community per file, each with its
    # units once; as many readings in every community as in the one nobody killed.
    assert sorted(j["original_name"] for j in jobs) == sorted(name(n) for n in range(files))
    assert {len(manager.get(j["url"]).get_json()["settlements"]) for j in jobs} == {1}
    assert len(manager.get("/v1/settlements?page_size=500").get_json()) == files
    communities = manager.get("/v1/communities?page_size=500").get_json()
    assert sorted(c["code"] for c in communities) == sorted(code(n) for n in range(files))
    for community in communities:
        units = manager.get(f"/v1/communities/{community['id']}/units").get_json()
        assert sorted(u["code"] for u in units) == [str(u) for u in range(1, UNITS + 1)]
    # By the rows: each import ended once and made one settlement; readings as many in each community.
    ended = Counter(
        (p["import_id"], p["status"]) for _, p in events_of(deployment.parts, tenant, "ImportEnded")
    )
    assert ended == {(j["id"], "settled"): 1 for j in jobs}
    made = Counter(p["settlement_id"] for _, p in events_of(deployment.parts, tenant, "SettlementCreated"))
    assert sorted(made.values()) == [1] * files
    with deployment.parts.engine.connect() as connection:
        readings = connection.execute(
            text(
                "SELECT u.community_id, count(*) FROM readings r JOIN meters m ON m.id = r.meter_id "
                "JOIN units u ON u.id = m.unit_id WHERE r.tenant_id = :t GROUP BY u.community_id"
            ),
            {"t": tenant},
        ).all()
    assert len(readings) == files
    assert len({count for _, count in readings}) == 1, readings


def code(n: int) -> str:
    return f"C{1000 + n}"


def name(n: int) -> str:
    return f"{code(n)}.xlsx"


def upload(manager: Caller, n: int) -> str:
    answer = manager.upload("/v1/imports", community_workbook(code(n), UNITS), name(n))
    assert answer.status_code == 202, answer.get_json()
    return str(answer.get_json()["id"])


def claimed(deployment: Production, import_id: str) -> bool:
    return status(deployment, import_id) != "received"


def status(deployment: Production, import_id: str) -> str:
    with deployment.parts.engine.connect() as connection:
        found = connection.execute(text("SELECT status FROM imports WHERE id = :id"), {"id": import_id})
        return str(found.scalar_one())
