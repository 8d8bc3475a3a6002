"""A `prorata worker` passes its container's healthcheck — its port serves a worker's metrics, its
heartbeat is fresh — until one of its dramatiq threads dies. Then it says so and exits 1, so that the
container's restart policy starts a new one: a worker going on a thread short would only let its heartbeat
go stale, which compose tells but never acts on."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.conftest import free_port
from tests.e2e.production import wait_until
from tests.services import fresh_redis_namespace


def _enqueue_by_hand(url: str, namespace: str, queue: str, message: dict[str, Any]) -> None:
    """`message` put on `queue` as dramatiq's Redis broker stores one, whatever queue it names."""
    from dramatiq.brokers.redis import RedisBroker

    broker = RedisBroker(url=url, namespace=namespace)  # type: ignore[no-untyped-call]
    try:
        redis_id = str(uuid.uuid4())
        options = {**message["options"], "redis_message_id": redis_id}
        broker.do_enqueue(queue, redis_id, json.dumps({**message, "options": options}).encode())
    finally:
        broker.close()


def test_a_worker_whose_thread_dies_says_so_and_exits_1(prorata: Any, tmp_path: Path) -> None:
    with fresh_redis_namespace() as (url, namespace):
        port, beat, log = free_port(), tmp_path / "worker.heartbeat", tmp_path / "worker.log"
        env = {
            "PRORATA_DATA_DIR": str(tmp_path / "var"),  # where the `prorata` fixture's commands look
            "PRORATA_BROKER_URL": url,
            "PRORATA_BROKER_NAMESPACE": namespace,
            "PRORATA_WORKER_METRICS_PORT": str(port),
            "PRORATA_HEARTBEAT_FILE": str(beat),
        }
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [prorata.executable, "worker", "--threads", "1"],
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(beat.exists, 60, log.read_text)
            healthy = prorata("ready", "--metrics-port", str(port), "--heartbeat", beat, env=env)
            assert healthy.code == 0, healthy.stderr

            # An actor it runs, naming a queue it does not consume (put there by hand, or moved from
            # another queue): dramatiq's worker thread runs it, then dies looking that queue up.
            _enqueue_by_hand(
                url,
                namespace,
                "imports",
                {
                    "queue_name": "not-consumed-here",
                    "actor_name": "run_import",
                    "args": ["no-such-import"],
                    "kwargs": {},
                    "options": {},
                    "message_id": str(uuid.uuid4()),
                    "message_timestamp": int(time.time() * 1000),
                },
            )
            code = worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
    said = log.read_text()
    assert code == 1, said[-3000:]
    (line,) = [line for line in said.splitlines() if "a worker thread stopped" in line]
    assert "restart" in line, line
