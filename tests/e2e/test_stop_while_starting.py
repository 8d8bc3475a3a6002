"""A serving command is PID 1 in its container, and the kernel does not deliver to PID 1 a signal it has no
handler for. SIGTERM (`docker stop`) while the command starts — here its database accepting connections
but not answering yet — stops it at once, not at the end of the grace period (660 s for the worker)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import _prorata

AS_PID_1 = ["unshare", "--user", "--map-root-user", "--pid", "--fork"]  # a PID namespace, as in Docker


def _pid_namespaces() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run([*AS_PID_1, "true"], capture_output=True, timeout=30, check=False)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not _pid_namespaces(), reason="no PID namespace can be made (unshare)")


def _pid_1_of(outer: subprocess.Popen[bytes]) -> int:
    """The process `unshare --fork` started: PID 1 of its namespace, as seen from here."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{outer.pid}/task/{outer.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise AssertionError("unshare started nothing")


def test_sigterm_to_a_worker_whose_database_does_not_answer_yet_stops_it_at_once(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # connections accepted, never answered
        silent.settimeout(60)
        env = {
            **os.environ,
            "PRORATA_DATA_DIR": str(tmp_path / "var"),
            "PRORATA_DATABASE_URL": f"postgresql://prorata@127.0.0.1:{silent.getsockname()[1]}/prorata",
            "PRORATA_BROKER_URL": "",
        }
        with (tmp_path / "worker.log").open("wb") as log:
            outer = subprocess.Popen([*AS_PID_1, _prorata(), "worker"], env=env, stdout=log, stderr=log)
        try:
            waiting, _ = silent.accept()  # the worker checks its database: it is starting
            with waiting:
                os.kill(_pid_1_of(outer), signal.SIGTERM)
                code = outer.wait(timeout=10)
        finally:
            if outer.poll() is None:
                os.kill(_pid_1_of(outer), signal.SIGKILL)
                outer.wait(timeout=10)
    said = (tmp_path / "worker.log").read_text()
    assert code == 128 + signal.SIGTERM, said
    assert "SIGTERM while starting" in said
