"""`prorata worker` as an operator runs it (on Redis here; RabbitMQ is the same code path): dramatiq's own
Prometheus metrics on PRORATA_WORKER_METRICS_PORT, its PRORATA_HEARTBEAT_FILE kept fresh, one JSON log
line per job, and SIGTERM letting the import in progress finish before the process exits 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from prorata.domain.access.principal import Role
from prorata.entrypoints.api.app import create_app
from tests.api_client import Caller, key_for, new_tenant
from tests.e2e.conftest import free_port
from tests.services import fresh_redis_namespace

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "samples" / "readings-heating-es.csv").read_bytes()


def _readings(rows: int) -> bytes:
    lines = ["Piso;Contador;Lectura anterior;Lectura actual"]
    lines += [f"P{n:05d};CAL-{n:05d};{n},5;{n + 1},25" for n in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with fresh_redis_namespace() as (url, namespace):
        env = {
            "PRORATA_DATA_DIR": str(tmp_path / "var"),
            "PRORATA_DATABASE_URL": f"sqlite:///{tmp_path / 'prorata.db'}",
            "PRORATA_BROKER_URL": url,
            "PRORATA_BROKER_NAMESPACE": namespace,
            "PRORATA_WORKER_METRICS_PORT": str(free_port()),
            "PRORATA_LOG_FORMAT": "json",
            "PRORATA_HEARTBEAT_FILE": str(tmp_path / "worker.heartbeat"),
        }
        parts = bootstrap(Settings.from_environment(env))
        parts.upgrade_database()
        tenant = new_tenant(parts)
        manager = Caller(create_app(parts).test_client(), key_for(parts, Role.MANAGER, tenant))
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [str(Path(sys.executable).parent / "prorata"), "worker", "--threads", "1"],
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            yield {"env": env, "manager": manager, "worker": worker, "log": log, "tenant": tenant}
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
            parts.broker.close()
            parts.engine.dispose()


def _wait_for(manager: Caller, import_id: str, wanted: set[str], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while (status := manager.get(f"/v1/imports/{import_id}").get_json()["status"]) not in wanted:
        assert time.monotonic() < deadline, f"import {import_id} still {status}"
        time.sleep(0.05)
    return str(status)


def _scrape(port: str) -> dict[tuple[str, str], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (sample.name, sample.labels.get("actor_name", "")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_worker_metrics_job_lines_and_sigterm_finishing_the_job_in_progress(
    deployment: dict[str, Any],
) -> None:
    manager, worker, log = deployment["manager"], deployment["worker"], deployment["log"]
    first = manager.upload("/v1/imports", SAMPLE, "lecturas.csv").get_json()["id"]
    _wait_for(manager, first, {"failed", "settled", "awaiting_costs"})
    time.sleep(0.5)  # the relay's event after it
    found = _scrape(deployment["env"]["PRORATA_WORKER_METRICS_PORT"])
    assert found[("dramatiq_messages_total", "run_import")] == 1
    assert ("dramatiq_message_duration_milliseconds_count", "run_import") in found
    beat = Path(deployment["env"]["PRORATA_HEARTBEAT_FILE"])
    assert time.time() - beat.stat().st_mtime < 10  # touched every second while its threads live
    lines = [json.loads(line) for line in log.read_text().splitlines()]  # every line is JSON
    (job,) = [line for line in lines if line.get("actor") == "run_import"]
    assert (job["job_id"], job["tenant_id"], job["outcome"]) == (first, deployment["tenant"], "ok")

    second = manager.upload("/v1/imports", _readings(2000), "grande.csv").get_json()["id"]
    _wait_for(manager, second, {"parsing", "validated"})  # the worker holds it
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    status = manager.get(f"/v1/imports/{second}").get_json()["status"]
    assert status in ("failed", "settled", "awaiting_costs")
    assert "Traceback" not in log.read_text()
