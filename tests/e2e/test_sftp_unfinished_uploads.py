"""An upload that never ended leaves no `.upload-*` file behind, however its `prorata sftp` stopped: cut by
SIGTERM after the drain, it is discarded before the process exits; killed outright (SIGKILL), its file is
removed by the next `prorata sftp` to start on the folder."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import paramiko
import pytest

from tests.e2e import test_sftp_drop_zone as base
from tests.e2e.conftest import free_port
from tests.e2e.test_sftp_drop_zone import _environment, _start, _until_listening, wait_for

pytestmark = base.pytestmark
seeded = base.seeded
BLOCK = b"Piso;Contador;Lectura anterior;Lectura actual\r\n" + b"1A;CAL-1;10,5;20,25\r\n" * 1000


class Upload:
    """A paramiko client that opened `name` on the server at `port` and sent a first block: in progress."""

    def __init__(self, port: int, key: Path, name: str) -> None:
        self.transport = paramiko.Transport(("127.0.0.1", port))
        self.transport.connect(username="gesfincas", pkey=paramiko.Ed25519Key.from_private_key_file(str(key)))
        client = paramiko.SFTPClient.from_transport(self.transport)
        assert client is not None
        self.file = client.open(name, "wb")
        self.file.write(BLOCK)
        self.file.flush()

    def leave(self) -> None:
        self.transport.close()


@pytest.fixture
def data(tmp_path: Path, seeded: Path) -> Path:
    shutil.copytree(seeded / "var", tmp_path / "var")
    shutil.copy2(seeded / "id_ed25519", tmp_path / "id_ed25519")
    return tmp_path / "var"


def _unfinished(home: Path) -> set[str]:
    return {path.name for path in home.iterdir() if path.name.startswith(".upload-")}


def test_no_upload_left_unfinished_outlives_the_server_that_received_it(data: Path, tmp_path: Path) -> None:
    """(Another server's upload in progress is left alone: tests/integration/test_sftp_unfinished.py.)"""
    env, home, key = _environment(data), data / "dropzone" / "gesfincas", tmp_path / "id_ed25519"
    servers: list[subprocess.Popen[bytes]] = []
    uploads: list[Upload] = []

    def serve(name: str) -> tuple[subprocess.Popen[bytes], int, Path]:
        port, log = free_port(), tmp_path / f"{name}.log"
        server = _start(env, "sftp", "--port", str(port), "--drain-seconds", "0.5", log=log)
        servers.append(server)
        _until_listening(server, port, log)
        return server, port, log

    try:
        killed, port, _ = serve("killed")
        uploads.append(Upload(port, key, "killed.csv"))
        wait_for(lambda: len(_unfinished(home)) == 1, 10)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert len(_unfinished(home)) == 1  # nothing discarded it: killed outright

        restarted, port, log = serve("restarted")
        assert _unfinished(home) == set(), log.read_text()  # removed as it started
        assert "discarded whole" in log.read_text()

        uploads.append(Upload(port, key, "stopped.csv"))
        wait_for(lambda: len(_unfinished(home)) == 1, 10)
        restarted.send_signal(signal.SIGTERM)  # the upload outlasts the drain: discarded before the exit
        assert restarted.wait(timeout=20) == 0, log.read_text()
        assert _unfinished(home) == set(), log.read_text()
        assert "stopped.csv discarded whole" in log.read_text()
        assert not (home / "stopped.csv").exists()
        assert not (home / "killed.csv").exists()
    finally:
        for upload in uploads:
            upload.leave()
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
