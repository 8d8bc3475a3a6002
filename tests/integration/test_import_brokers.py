"""Imports through real brokers and real `prorata worker` processes: RabbitMQ and Redis, on SQLite and
PostgreSQL. A worker killed mid-import loses nothing and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from prorata.application.process_import import claim
from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.domain.access.principal import Role
from prorata.entrypoints.api.app import create_app
from tests.api_client import Caller, key_for, new_tenant
from tests.services import fresh_rabbitmq_vhost, fresh_redis_namespace

# CI runs these on PostgreSQL with both brokers; SQLite adds nothing to what they check.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

MULTI = (Path(__file__).parents[1] / "fixtures" / "samples" / "export-multi-community.xlsx").read_bytes()


@pytest.fixture(params=["rabbitmq", "redis"])
def broker_env(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        "PRORATA_DATABASE_URL": database_url,
        "PRORATA_DATA_DIR": str(tmp_path / "var"),
        "PRORATA_IMPORT_LEASE_SECONDS": "3",
        "PRORATA_SWEEP_SECONDS": "0.5",
        "PRORATA_RESEND_SECONDS": "2",
    }
    if request.param == "rabbitmq":
        with fresh_rabbitmq_vhost() as url:
            yield {**env, "PRORATA_BROKER_URL": url}
    else:
        with fresh_redis_namespace() as (url, namespace):
            yield {**env, "PRORATA_BROKER_URL": url, "PRORATA_BROKER_NAMESPACE": namespace}


@pytest.fixture
def parts(broker_env: dict[str, str]) -> Iterator[Components]:
    built = bootstrap(Settings.from_environment(broker_env))
    built.upgrade_database()
    yield built
    built.broker.close()
    built.engine.dispose()


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = Path(sys.executable).parent / "prorata"
    return subprocess.Popen(
        [str(command), "worker", "--threads", "1"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a pipe nobody reads would block a worker that logs much
    )


def status_of(caller: Caller, url: str) -> dict[str, Any]:
    body: dict[str, Any] = caller.get(url).get_json()
    return body


def wait_for(caller: Caller, url: str, wanted: set[str], seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        job = status_of(caller, url)
        if job["status"] in wanted:
            return job
        assert time.monotonic() < deadline, f"import still {job['status']} after {seconds} s"
        time.sleep(0.05)


def test_a_worker_process_imports_through_the_broker(parts: Components, broker_env: dict[str, str]) -> None:
    app: Flask = create_app(parts)
    manager = Caller(app.test_client(), key_for(parts, Role.MANAGER, new_tenant(parts)))
    worker = start_worker(broker_env)
    try:
        job = manager.upload("/v1/imports", MULTI, "export.xlsx").get_json()
        done = wait_for(manager, job["url"], {"settled", "failed"})
        assert done["status"] == "settled", done
        assert len(done["settlements"]) == 2
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_worker_killed_mid_import_loses_nothing_and_duplicates_nothing(
    parts: Components, broker_env: dict[str, str]
) -> None:
    app: Flask = create_app(parts)
    tenant = new_tenant(parts)
    manager = Caller(app.test_client(), key_for(parts, Role.MANAGER, tenant))
    job = manager.upload("/v1/imports", MULTI, "export.xlsx").get_json()
    # Hold the tenant's row: the worker can claim and parse the file, but it stops at its first community,
    # which refers to the tenant — provably mid-attempt when it is killed.
    holder = parts.engine.connect()
    holder.execute(text("SELECT id FROM tenants WHERE id = :id FOR UPDATE"), {"id": tenant})
    first = start_worker(broker_env)
    try:
        state = wait_for(manager, job["url"], {"validated", "settled", "failed"})
        assert (state["status"], state["attempts"]) == ("validated", 1)
        time.sleep(0.5)
        assert status_of(manager, job["url"])["status"] == "validated"
        first.send_signal(signal.SIGKILL)  # mid-attempt, as a crash or an OOM kill would
        first.wait(timeout=30)
    finally:
        holder.rollback()
        holder.close()
    second = start_worker(broker_env)
    try:
        done = wait_for(manager, job["url"], {"settled", "failed"})
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert (done["status"], done["attempts"]) == ("settled", 2), done
    assert len(done["settlements"]) == 2
    assert len(manager.get("/v1/settlements").get_json()) == 2
    assert sorted(c["code"] for c in manager.get("/v1/communities").get_json()) == ["C0012", "C0047"]
    units = [
        u["code"]
        for c in manager.get("/v1/communities").get_json()
        for u in manager.get(f"/v1/communities/{c['id']}/units").get_json()
    ]
    assert len(units) == 10  # the workbook's 6 + 4 units, none twice


def test_a_lost_message_is_found_again_by_the_sweeper(parts: Components, broker_env: dict[str, str]) -> None:
    app: Flask = create_app(parts)
    manager = Caller(app.test_client(), key_for(parts, Role.MANAGER, new_tenant(parts)))
    job = manager.upload("/v1/imports", MULTI, "export.xlsx").get_json()
    with parts.unit_of_work() as uow:  # a worker takes the job and dies before finishing
        assert claim(uow, parts.clock, job["id"], timedelta(seconds=2)) is not None
    worker = start_worker(broker_env)
    try:
        done = wait_for(manager, job["url"], {"settled", "failed"})
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert done["status"] == "settled"
    assert done["attempts"] == 2
    assert len(done["settlements"]) == 2
