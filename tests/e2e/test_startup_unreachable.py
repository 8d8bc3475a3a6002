"""A serving command started with its database or broker out of reach says so in one line (JSON under
PRORATA_LOG_FORMAT=json), naming the setting to check, and exits non-zero — no traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import free_port


def _lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("command", [["api"], ["worker"], ["sftp", "--port", "0"], ["watch"]])
def test_a_serving_command_with_the_database_down_says_so_in_one_json_line(
    prorata: Any, command: list[str]
) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/prorata"
    run = prorata(*command, env={"PRORATA_LOG_FORMAT": "json", "PRORATA_DATABASE_URL": down})
    assert run.code != 0
    lines = _lines(run.stderr)  # every line is JSON
    errors = [line for line in lines if line["level"] in ("error", "critical")]
    assert len(errors) == 1, run.stderr
    assert "PRORATA_DATABASE_URL" in errors[0]["message"]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("command", [["worker"], ["watch"]])
def test_a_command_that_needs_the_broker_says_it_is_unreachable_and_exits(
    prorata: Any, command: list[str]
) -> None:
    broker = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
    run = prorata(*command, env={"PRORATA_LOG_FORMAT": "json", "PRORATA_BROKER_URL": broker})
    assert run.code != 0
    errors = [line for line in _lines(run.stderr) if line["level"] in ("error", "critical")]
    assert len(errors) == 1, run.stderr
    assert "PRORATA_BROKER_URL" in errors[0]["message"]


def test_run_on_a_taken_port_says_which_and_how_to_choose_others_before_anything_else(prorata: Any) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = prorata("run", "--demo", "--port", str(port), "--sftp-port", str(free_port()))
    assert run.code == 1
    assert f"port {port}" in run.stderr
    assert "make run PORT=" in run.stderr
    assert "--port" in run.stderr
    assert "prk_" not in run.stdout + run.stderr  # no demo keys printed for a run that cannot start
