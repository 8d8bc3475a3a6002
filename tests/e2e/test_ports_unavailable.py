"""A serving command whose port cannot be had — taken by another process, or no port at all — says so in
one line naming the port and why, and exits 1: never a traceback, never a process left running without
its listener, nothing left behind."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _errors(stderr: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # every line is JSON
    return [line for line in lines if line["level"] in ("error", "critical")]


@pytest.fixture
def taken() -> Iterator[int]:
    """A loopback port another process listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def test_sftp_on_a_taken_port_says_so_and_exits(prorata: Any, taken: int) -> None:
    run = prorata("sftp", "--port", str(taken), env={"PRORATA_LOG_FORMAT": "json"})
    assert run.code == 1, run.stderr
    (error,) = _errors(run.stderr)
    assert f"127.0.0.1:{taken}" in error["message"]
    assert "in use" in error["message"]
    assert "--port" in error["message"]
    assert "Traceback" not in run.stderr


def test_sftp_on_a_port_out_of_range_says_so_and_exits(prorata: Any) -> None:
    run = prorata("sftp", "--port", "99999", env={"PRORATA_LOG_FORMAT": "json"})
    assert run.code == 1, run.stderr
    (error,) = _errors(run.stderr)
    assert "99999" in error["message"]
    assert "0-65535" in error["message"]
    assert "Traceback" not in run.stderr


def test_a_worker_whose_metrics_port_is_taken_says_so_exits_and_leaves_no_folder(
    prorata: Any, taken: int, tmp_path: Path
) -> None:
    """(A port out of range is refused with the other settings: tests/unit/test_settings_values.py.)"""
    temporary = tmp_path / "tmp"  # where the worker makes its metrics folder
    temporary.mkdir()
    env = {
        "PRORATA_LOG_FORMAT": "json",
        "PRORATA_BROKER_URL": "",
        "PRORATA_WORKER_METRICS_PORT": str(taken),
        "TMPDIR": str(temporary),
    }
    run = prorata("worker", env=env)
    assert run.code == 1, run.stderr
    (error,) = _errors(run.stderr)
    assert f"127.0.0.1:{taken}" in error["message"]
    assert "in use" in error["message"]
    assert "PRORATA_WORKER_METRICS_PORT" in error["message"]
    assert "Traceback" not in run.stderr
    assert list(temporary.iterdir()) == []


def test_run_with_a_port_out_of_range_says_so_before_anything_else(prorata: Any, taken: int) -> None:
    """Even when the API's port is taken too: the option given wrong is named, not the busy port (found
    while another `make run` held 8000)."""
    run = prorata("run", "--port", str(taken), "--sftp-port", "99999")
    assert run.code == 1, run.stderr
    assert run.stderr.strip() == "cannot start: the SFTP port 99999 is not a port (0-65535)"
