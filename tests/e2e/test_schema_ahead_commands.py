"""A database a newer prorata has upgraded, met by this older one (a rollback of the code): `prorata ready`
says so and what to do, and exits 1; `prorata db upgrade` and every serving command say it in one line and
exit 1 — no traceback, no advice to run the upgrade that cannot help."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.warm_cli import Command, run_each

NEWER = "0099_from_a_newer_prorata"
SAYS = f"database schema at revision {NEWER}, newer than this version of prorata knows (head "


@pytest.fixture
def newer_database(tmp_path: Path) -> dict[str, str]:
    """PRORATA_DATABASE_URL of a SQLite database at a revision this code has no migration for."""
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        database.execute("INSERT INTO alembic_version VALUES (?)", (NEWER,))
    database.close()
    return {"PRORATA_DATABASE_URL": f"sqlite:///{path}"}


def test_ready_says_the_schema_is_newer_than_this_version_and_exits_1(
    prorata: Any, newer_database: dict[str, str]
) -> None:
    run = prorata("ready", env=newer_database)
    assert run.code == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"migrations: {SAYS}"), line
    assert "run the newer version of prorata or restore" in line
    assert "db upgrade" not in line


# `api` and `run` upgrade at start the same way, but import the web framework first (0.6–1 s of CPU each).
SERVING = [("worker",), ("sftp", "--port", "0"), ("watch",)]


def test_db_upgrade_and_the_serving_commands_say_it_in_one_line_and_exit_1(
    newer_database: dict[str, str], tmp_path: Path
) -> None:
    json_logs = {**newer_database, "PRORATA_LOG_FORMAT": "json"}
    commands = [Command(("db", "upgrade"), newer_database), *(Command(args, json_logs) for args in SERVING)]
    upgrade, *serving = run_each(commands, tmp_path)
    assert upgrade.code == 1, upgrade.stderr
    (line,) = upgrade.stderr.splitlines()
    assert line.startswith(f"prorata db: {SAYS}"), line
    for args, run in zip(SERVING, serving, strict=True):
        assert run.code == 1, (args, run.stderr)
        lines = [json.loads(text) for text in run.stderr.splitlines()]
        errors = [found for found in lines if found["level"] in ("error", "critical")]
        assert len(errors) == 1, (args, run.stderr)
        assert errors[0]["code"] == "schema_ahead"
        assert errors[0]["message"].startswith(f"prorata {args[0]} cannot start: {SAYS}"), errors[0]
        assert "Traceback" not in run.stderr
