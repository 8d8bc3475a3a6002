"""`prorata ready`: the checks of GET /ready from the command line, and of the process beside it, for the
containers' healthchecks."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import _prorata, free_port


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a data folder whose database is at head (made once: the tests only read it)."""
    env = {"PRORATA_DATA_DIR": str(tmp_path_factory.mktemp("upgraded") / "var")}
    subprocess.run([_prorata(), "db", "upgrade"], env={**os.environ, **env}, check=True, capture_output=True)
    return env


def test_ready_exits_1_naming_the_check_until_the_schema_is_upgraded_then_0(prorata: Any) -> None:
    fresh = prorata("ready")
    assert fresh.code == 1
    assert "migrations:" in fresh.stderr
    assert "prorata db upgrade" in fresh.stderr
    assert prorata("db", "upgrade").code == 0
    done = prorata("ready", "--json")
    assert done.code == 0, done.stderr
    assert done.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok"},
    }


def test_ready_exits_1_when_the_broker_does_not_answer_unless_without_it(
    prorata: Any, upgraded: dict[str, str]
) -> None:
    """Without it: what `prorata sftp` (no broker) and `prorata api` (answers 202; the sweeper sends
    later) need."""
    away = {**upgraded, "PRORATA_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
    down = prorata("ready", "--json", env=away)
    assert down.code == 1
    assert [e["code"] for e in down.json()["errors"]] == ["broker_unreachable"]
    run = prorata("ready", "--json", "--without", "broker", env=away)
    assert run.code == 0, run.stdout + run.stderr
    assert run.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_ready_with_sftp_port_fails_when_no_ssh_server_listens_there(
    prorata: Any, upgraded: dict[str, str]
) -> None:
    import socket
    import threading

    dead = prorata("ready", "--sftp-port", str(free_port()))
    assert dead.code == 1
    assert "sftp: nothing answers" in dead.stderr
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def banner() -> None:
            connection, _ = listener.accept()
            connection.sendall(b"SSH-2.0-paramiko\r\n")
            connection.close()

        threading.Thread(target=banner, daemon=True).start()
        alive = prorata("ready", "--sftp-port", str(listener.getsockname()[1]), env=upgraded)
    assert alive.code == 0, alive.stderr


def test_ready_with_heartbeat_fails_on_a_missing_or_stale_file(
    prorata: Any, upgraded: dict[str, str], tmp_path: Path
) -> None:
    """(A fresh one passes: tests/e2e/test_watch_heartbeat.py, against a running watcher.)"""
    beat = tmp_path / "watcher.heartbeat"
    missing = prorata("ready", "--heartbeat", beat, env=upgraded)
    assert missing.code == 1
    (line,) = missing.stderr.splitlines()  # one line naming the file and the limit
    assert line.startswith(f"heartbeat: {beat} is missing"), line
    assert "limit of 60 s" in line, line

    beat.touch()
    two_minutes_ago = time.time() - 120
    os.utime(beat, (two_minutes_ago, two_minutes_ago))
    stale = prorata("ready", "--json", "--heartbeat", beat, "--max-age", "30", env=upgraded)
    assert stale.code == 1
    body = stale.json()
    assert body["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok", "heartbeat": "failed"}
    (error,) = body["errors"]
    assert (error["check"], error["code"]) == ("heartbeat", "heartbeat_stale")
    assert re.search(rf"{re.escape(str(beat))} was last touched 1[2-9]\d\.\d s ago", error["message"])
    assert "over the limit of 30 s" in error["message"]


# What a healthcheck's `prorata ready` may load: the settings, the database toolkit, the broker's client.
# The composition root wires every adapter, and the ports' libraries cost tenths of a second each, on
# every check of every container.
NOT_FOR_READY = (
    "prorata.config.bootstrap", "prorata.application", "flask", "gunicorn", "prometheus_client", "borb",
    "openpyxl", "python_calamine", "sepaxml", "xmlschema", "lxml", "schwifty", "defusedxml", "httpx",
    "onesignal_sdk", "paramiko", "watchdog",
)  # fmt: skip


def test_ready_loads_the_settings_the_database_toolkit_and_the_broker_only(upgraded: dict[str, str]) -> None:
    import json
    import sys

    script = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: sys.__stderr__.write('\\n' + json.dumps(sorted(sys.modules))))\n"
        "from prorata.entrypoints.cli.main import main\n"
        "main(['ready'], prog_name='prorata')\n"
    )
    env = {**os.environ, **upgraded}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ready: database ok, migrations ok, broker ok"), done.stdout
    loaded = json.loads(done.stderr.splitlines()[-1])
    assert "sqlalchemy" in loaded
    assert "alembic" not in loaded  # the schema at head: read from its version table, Alembic not needed
    assert [m for m in loaded if m.startswith(NOT_FOR_READY)] == []


def test_max_age_without_heartbeat_is_a_usage_error_naming_both(prorata: Any) -> None:
    run = prorata("ready", "--max-age", "30")
    assert run.code == 2
    assert "--max-age" in run.stderr, run.stderr
    assert "--heartbeat" in run.stderr, run.stderr
    assert run.stdout == ""


def test_a_process_check_that_fails_is_told_in_json_with_the_rest_unknown(prorata: Any) -> None:
    run = prorata("ready", "--json", "--sftp-port", "1")
    assert run.code == 1
    assert run.stderr == ""
    body = run.json()
    (error,) = body["errors"]
    assert (error["check"], error["code"]) == ("sftp", "sftp_unreachable")
    assert "127.0.0.1:1" in error["message"]
    unknown = dict.fromkeys(
        ["database", "migrations", "broker"], "unknown"
    )  # not asked: sftp needs a restart
    assert body["checks"] == {**unknown, "sftp": "failed"}


def _serve_once(answer: bytes) -> int:
    """A loopback port that answers its first connection with `answer`, then closes it."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        with listener:
            connection, _ = listener.accept()
            with connection:
                connection.recv(4096)
                connection.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    return int(listener.getsockname()[1])


def test_metrics_port_on_something_not_http_is_one_line_not_a_traceback(prorata: Any) -> None:
    ssh = _serve_once(b"SSH-2.0-OpenSSH_9.6\r\n")
    run = prorata("ready", "--metrics-port", str(ssh))
    assert run.code == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"metrics: http://127.0.0.1:{ssh}/metrics"), line
    assert "not HTTP" in line, line


def test_metrics_port_on_the_api_s_metrics_is_not_taken_for_a_worker(prorata: Any) -> None:
    api_metrics = (  # what `prorata api` answers on /metrics: its own families, none of a worker's
        b"# HELP prorata_http_requests_total HTTP requests\n# TYPE prorata_http_requests_total counter\n"
        b'prorata_http_requests_total{method="GET",route="/ready",status="200"} 3.0\n'
        b"# HELP prorata_database_up 1 when the database answered\n# TYPE prorata_database_up gauge\n"
        b"prorata_database_up 1.0\n"
    )
    head = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %d\r\n\r\n"
    port = _serve_once(head % len(api_metrics) + api_metrics)
    run = prorata("ready", "--json", "--metrics-port", str(port))
    assert run.code == 1
    (error,) = run.json()["errors"]
    assert (error["check"], error["code"]) == ("metrics", "metrics_not_a_worker")
    assert "prorata_worker_info" in error["message"]


def test_api_port_asks_the_api_s_health_and_without_broker_its_database(
    prorata: Any, upgraded: dict[str, str]
) -> None:
    import threading

    from werkzeug.serving import make_server

    from prorata.config.bootstrap import bootstrap
    from prorata.config.settings import Settings
    from prorata.entrypoints.api.app import create_app

    gone = free_port()
    dead = prorata("ready", "--api-port", str(gone), "--without", "broker")
    assert dead.code == 1
    (line,) = dead.stderr.splitlines()
    assert line.startswith(f"api: http://127.0.0.1:{gone}/health does not answer"), line
    parts = bootstrap(Settings.from_environment(upgraded))
    server = make_server("127.0.0.1", 0, create_app(parts), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        alive = prorata("ready", "--api-port", str(server.port), "--without", "broker", env=upgraded)
    finally:
        server.shutdown()
        parts.engine.dispose()
    assert alive.code == 0, alive.stderr
    assert alive.stdout.strip() == "ready: database ok, migrations ok, api ok"


def test_a_setting_it_cannot_use_is_told_in_json_when_json_is_asked(prorata: Any) -> None:
    """A healthcheck that reads `--json` gets JSON whatever fails — a setting too (it got a line of text on
    stderr and nothing on stdout); without --json it stays the one line every command says."""
    bad = {"PRORATA_IMPORT_LEASE_SECONDS": "abc"}
    run = prorata("ready", "--json", env=bad)
    assert run.code == 1
    assert run.stderr == ""
    body = run.json()
    (error,) = body["errors"]
    assert (error["check"], error["code"]) == ("settings", "invalid_setting")
    assert "PRORATA_IMPORT_LEASE_SECONDS='abc'" in error["message"]
    assert body["checks"] == {
        "settings": "failed",
        "database": "unknown",
        "migrations": "unknown",
        "broker": "unknown",
    }
    text = prorata("ready", env=bad)
    assert (text.code, text.stdout) == (1, "")
    assert text.stderr.startswith("prorata ready: PRORATA_IMPORT_LEASE_SECONDS='abc' is not accepted")
