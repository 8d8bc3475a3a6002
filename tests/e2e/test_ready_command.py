"""`prorata ready`: the checks of GET /ready from the command line, for the healthchecks of containers
that serve no HTTP (worker, sftp, watch)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import free_port


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


def test_ready_exits_1_when_the_broker_does_not_answer(prorata: Any) -> None:
    assert prorata("db", "upgrade").code == 0
    down = prorata("ready", "--json", env={"PRORATA_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert down.code == 1
    assert [e["code"] for e in down.json()["errors"]] == ["broker_unreachable"]


def test_ready_with_sftp_port_fails_when_no_ssh_server_listens_there(prorata: Any) -> None:
    import socket
    import threading

    assert prorata("db", "upgrade").code == 0
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
        alive = prorata("ready", "--sftp-port", str(listener.getsockname()[1]))
    assert alive.code == 0, alive.stderr
