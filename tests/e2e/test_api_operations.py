"""`prorata api` as an operator watches it: with PRORATA_LOG_FORMAT=json every line it writes, gunicorn's
included, is one JSON object, one per request with its request id; /metrics adds up the requests of all
its worker processes; SIGTERM lets a request in progress finish before the process exits; and a worker
process that exits (recycled, or stopped alone) leaves its replacement and the others serving."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import free_port


@dataclass(frozen=True)
class Api:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    port = free_port()
    env = {
        **os.environ,
        "PRORATA_DATA_DIR": str(tmp_path / "var"),
        "PRORATA_DATABASE_URL": "",
        "PRORATA_BROKER_URL": "",
        "PRORATA_LOG_FORMAT": "json",
        "TMPDIR": str(tmp_path),  # where `prorata api` makes its metrics folder
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [str(Path(sys.executable).parent / "prorata"), "api", "--port", str(port), "--workers", "2"]
    log = tmp_path / "api.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    served = Api(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if served.get("/health")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "prorata api did not answer /health within 30 s"
                time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)


def test_json_lines_one_per_request_and_metrics_across_worker_processes(api: Api) -> None:
    def hit(number: int) -> str:
        status, headers, _ = api.get("/health", {"X-Request-Id": f"probe-{number}"})
        assert status == 200
        return headers["X-Request-Id"]

    sent = 0
    with ThreadPoolExecutor(8) as pool:
        # Until both worker processes have answered some (the kernel decides which accepts): at most 400.
        while sent < 400 and len({line["process"] for line in _probes(api)}) < 2:
            batch = range(sent, sent + 40)
            assert sorted(pool.map(hit, batch)) == sorted(f"probe-{n}" for n in batch)
            sent += 40
    probes = _probes(api)
    assert len({line["process"] for line in probes}) == 2
    metrics = api.get("/metrics")[2].decode()
    counted = [
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "prorata_http_requests_total" and sample.labels["route"] == "/health"
    ]
    # Both processes' requests, whichever answered the scrape: the fixture's first /health, and ours.
    assert sum(counted) == sent + 1
    assert len(probes) == sent
    assert {(p["method"], p["route"], p["status"]) for p in probes} == {("GET", "/health", 200)}
    assert all(isinstance(p["duration_ms"], int | float) for p in probes)
    assert any(str(line["logger"]).startswith("gunicorn") for line in _json_lines(api))


def _json_lines(api: Api) -> list[dict[str, object]]:
    return [json.loads(line) for line in api.lines()]  # every line is JSON, gunicorn's too


def _probes(api: Api) -> list[dict[str, object]]:
    return [line for line in _json_lines(api) if str(line.get("request_id", "")).startswith("probe-")]


def test_sigterm_lets_a_request_in_progress_finish(api: Api) -> None:
    with socket.create_connection(("127.0.0.1", api.port), timeout=10) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: prorata\r\n")  # the request not yet complete
        time.sleep(0.5)
        api.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        connection.sendall(b"X-Request-Id: in-flight\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b"in-flight" in answer
    assert api.process.wait(timeout=20) == 0
    assert "Traceback" not in api.log.read_text()
    assert not list(api.log.parent.glob("prorata-metrics-*")), "the master left its metrics folder behind"


def test_a_worker_process_replaced_serves_and_counts_like_the_first(api: Api) -> None:
    # A worker that exits on its own (gunicorn recycles one, or an operator stops one) must not take the
    # metrics folder of the processes still serving: the first request of its replacement answered 500.
    first = _booted(api)
    os.kill(first[0], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while len(booted := _booted(api)) < 3:
        assert time.monotonic() < deadline, "gunicorn did not replace the stopped worker process within 30 s"
        time.sleep(0.1)
    replacement = booted[-1]
    answered: set[int] = set()
    for _ in range(400):  # the kernel decides which process accepts: until the replacement answered some
        assert api.get("/health")[0] == 200
        answered = {int(str(line["process"])) for line in _json_lines(api) if line.get("route") == "/health"}
        if replacement in answered:
            break
    assert replacement in answered
    assert b"prorata_http_requests_total" in api.get("/metrics")[2]
    assert "Traceback" not in api.log.read_text()


def _booted(api: Api) -> list[int]:
    """The worker processes gunicorn started, in order, by pid."""
    pattern = re.compile(r"Booting worker with pid: (\d+)")
    return [int(m.group(1)) for line in _json_lines(api) if (m := pattern.search(str(line["message"])))]
