"""Every command that reads the settings, started with one it cannot use (not a number, empty, out of range,
an unknown URL scheme, a port that is none), says so in one line — the variable, its value with any password
masked, what is accepted — and exits 1: no traceback, no usage error, and never starting regardless."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Run
from tests.e2e.warm_cli import Command, run_each

SAMPLE = Path(__file__).parents[1] / "fixtures" / "samples" / "readings-heating-es.csv"
SECRET = "s3cret-pw"

# Each command with one value it cannot use, and what its line must show of that value.
CASES = [
    (("ready",), "PRORATA_DATABASE_URL", f"postgresql://prorata:{SECRET}@db:abc/prorata", "db:abc"),
    (("db", "upgrade"), "PRORATA_WORKER_THREADS", "abc", "'abc'"),
    (("api", "--port", "0"), "PRORATA_MAX_BODY_BYTES", "0", "'0'"),
    (("worker",), "PRORATA_SWEEP_SECONDS", "", "''"),
    (("worker",), "PRORATA_WORKER_THREADS", "-3", "'-3'"),
    (("worker",), "PRORATA_BROKER_URL", f"amqp://guest:{SECRET}@127.0.0.1:abc/%2F", "127.0.0.1:abc"),
    (("sftp", "--port", "0"), "PRORATA_SFTP_BAN_SECONDS", "-1", "'-1'"),
    (("watch",), "PRORATA_DROP_RESCAN_SECONDS", "0", "'0'"),
    (("run", "--port", "0", "--sftp-port", "0"), "PRORATA_BROKER_URL", "kafka://x", "kafka://x"),
    (("import", str(SAMPLE), "--tenant", "t"), "PRORATA_IMPORT_LEASE_SECONDS", "ten", "'ten'"),
    (("tenants", "create", "Fincas Sol"), "PRORATA_WORKER_METRICS_PORT", "99999", "'99999'"),
    (("keys", "list"), "PRORATA_DATABASE_URL", "mysql://u@h/x", "mysql://u@h/x"),
]


# And two serving commands whose logs are JSON lines: one with a setting it cannot use, one with an unknown
# log format (so logging in a format it cannot have).
LOGGED = [
    Command(("worker",), {"PRORATA_LOG_FORMAT": "json", "PRORATA_WORKER_THREADS": "0"}),
    Command(("api",), {"PRORATA_LOG_FORMAT": "yaml"}),
]


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> list[Run]:
    """What each of CASES then LOGGED did, all run at once."""
    commands = [Command(args, {name: value}) for args, name, value, _ in CASES]
    return run_each(commands + LOGGED, tmp_path_factory.mktemp("bad-settings"))


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{c[0][0]}-{c[1]}" for c in CASES])
def test_a_command_with_a_setting_it_cannot_use_says_which_in_one_line_and_exits_1(
    refused: list[Run], case: int
) -> None:
    _, name, _, shown = CASES[case]
    run = refused[case]
    assert run.code == 1, run.stderr
    (line,) = run.stderr.splitlines()
    assert name in line, line
    assert shown in line, line
    assert "accepted" in line, line
    assert SECRET not in run.stdout + run.stderr


def test_prorata_ready_run_as_typed_names_the_setting_and_masks_its_password(prorata: Any) -> None:
    url = f"postgresql://prorata:{SECRET}@127.0.0.1:99999/prorata"
    run = prorata("ready", env={"PRORATA_DATABASE_URL": url})
    assert run.code == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith("prorata ready: PRORATA_DATABASE_URL='postgresql://prorata:***@127.0.0.1:"), line
    assert "is not accepted" in line
    assert SECRET not in run.stderr


def test_a_serving_command_logging_json_says_it_in_one_json_line(refused: list[Run]) -> None:
    worker, api = refused[len(CASES) :]
    assert worker.code == 1
    (line,) = [json.loads(text) for text in worker.stderr.splitlines()]
    assert line["level"] == "error"
    assert line["code"] == "invalid_setting"
    assert line["message"].startswith("prorata worker cannot start: PRORATA_WORKER_THREADS='0'")
    assert api.code == 1  # not click's usage error (2): the command line was right
    (text,) = api.stderr.splitlines()
    assert "PRORATA_LOG_FORMAT='yaml'" in text
    assert "text or json" in text
