"""`prorata run` forks once: a gunicorn master that starts no thread of its own, and one serving process that
holds the whole all-in-one — one import worker pool, one sweeper, one SFTP server, one watcher — so the API
enqueues into the only in-process broker there is. A signal stops it all cleanly. `prorata api` without a
broker runs a pool in each serving process, none in its master."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port

WORKER_THREADS = 3


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[bytes]
    api: int
    sftp: int
    stderr: Path

    def health(self) -> dict[str, object]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api}/health", timeout=5) as answer:
            assert answer.status == 200
            found: dict[str, object] = json.loads(answer.read())
            return found


@contextlib.contextmanager
def _serving(tmp_path: Path, *args: str, sftp: bool) -> Iterator[Served]:
    """Starts `prorata ARGS --port P [--sftp-port S]` in a session of its own; waits until it serves."""
    api, drop = free_port(), free_port()
    command = [str(Path(sys.executable).parent / "prorata"), *args, "--port", str(api)]
    command += ["--sftp-port", str(drop)] if sftp else []
    env = {
        **os.environ,
        "PRORATA_DATA_DIR": str(tmp_path / "var"),
        "PRORATA_DATABASE_URL": "",
        "PRORATA_BROKER_URL": "",
        "PRORATA_WORKER_THREADS": str(WORKER_THREADS),
        "PYTHONFAULTHANDLER": "1",  # a process that hangs can be made to say where (`_stopped`)
    }
    stderr = tmp_path / "stderr.txt"
    with (tmp_path / "stdout.txt").open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not (_listening(api) and (not sftp or _listening(drop))):
            assert process.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, f"prorata {args[0]} did not come up"
            time.sleep(0.2)
        served = Served(process, api, drop, stderr)
        served.health()  # a worker process is up, its background parts started
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def all_in_one(tmp_path: Path) -> Iterator[Served]:
    with _serving(tmp_path, "run", sftp=True) as served:
        yield served


def test_run_has_a_threadless_master_and_one_process_with_every_background_part(all_in_one: Served) -> None:
    master = all_in_one.process.pid
    assert _threads(master) == 1, "the master must not run threads before it forks"
    assert len(_children(master)) == 1
    assert all_in_one.health()["background"] == {
        "workers": WORKER_THREADS,
        "sweepers": 1,
        "sftp": 1,
        "watchers": 1,
    }
    said = all_in_one.stderr.read_text()  # where each part listens
    assert f"REST API    http://127.0.0.1:{all_in_one.api}" in said
    assert f"SFTP        127.0.0.1:{all_in_one.sftp}" in said


@pytest.mark.parametrize(
    ("stop", "group"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGINT", "Ctrl-C"],  # a terminal's Ctrl-C signals the master and its worker at once
)
def test_a_signal_stops_run_cleanly_and_frees_its_ports(
    all_in_one: Served, stop: signal.Signals, group: bool
) -> None:
    master = all_in_one.process.pid
    children = _children(master)
    started = time.monotonic()
    if group:
        os.killpg(master, stop)
    else:
        all_in_one.process.send_signal(stop)
    assert _stopped(all_in_one) == 0
    assert time.monotonic() - started < 8
    assert "Traceback" not in all_in_one.stderr.read_text()
    assert not [child for child in children if Path(f"/proc/{child}").exists()]
    for port in (all_in_one.sftp, all_in_one.api):
        with socket.create_server(("127.0.0.1", port)):
            pass


def test_api_without_a_broker_runs_a_pool_in_each_serving_process_only(tmp_path: Path) -> None:
    with _serving(tmp_path, "api", "--workers", "2", sftp=False) as served:
        master = served.process.pid
        deadline = time.monotonic() + 10
        while len(_children(master)) < 2:  # gunicorn forks its workers one after the other
            assert time.monotonic() < deadline, "prorata api did not start its two workers"
            time.sleep(0.1)
        assert _threads(master) == 1
        assert served.health()["background"] == {
            "workers": WORKER_THREADS,
            "sweepers": 1,
            "sftp": 0,
            "watchers": 0,
        }
        served.process.send_signal(signal.SIGTERM)
        assert _stopped(served) == 0
        assert "Traceback" not in served.stderr.read_text()


def _threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def _listening(port: int) -> bool:
    """Whether a socket listens on 127.0.0.1:`port` — read from the kernel's table, because a probe
    connection that sends no SSH banner makes paramiko log a traceback."""
    listen = "0A"
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return any(row[1] == f"0100007F:{port:04X}" and row[3] == listen for row in rows)


def _stopped(served: Served, seconds: float = 15) -> int:
    """The exit status once the process stops; if it does not, each of its processes still there dumps
    its threads' stacks (faulthandler, on SIGSEGV) into the failure, to show where it hung."""
    try:
        return served.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        stuck = _children(served.process.pid)
        for pid in stuck:
            os.kill(pid, signal.SIGSEGV)
        time.sleep(2)
        said = served.stderr.read_text()[-20_000:]
        raise AssertionError(f"prorata did not stop in {seconds} s; stuck: {stuck}\n{said}") from None


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (this kernel has no /proc/<pid>/task/<tid>/children)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
