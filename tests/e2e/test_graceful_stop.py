"""SIGTERM, as `docker stop` or systemd sends it, to the drop zone's processes: what they were doing when it
came is finished (or handed back whole), then they exit 0. (`prorata api`: tests/e2e/test_api_operations.py;
`prorata worker`: tests/e2e/test_worker_operations.py.)"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from tests.e2e import test_sftp_drop_zone as base
from tests.e2e.conftest import free_port
from tests.e2e.test_sftp_drop_zone import DropZone, _environment, _start, wait_for

pytestmark = base.pytestmark
seeded = base.seeded


@pytest.fixture
def served(tmp_path: Path, seeded: Path) -> Iterator[tuple[DropZone, subprocess.Popen[bytes]]]:
    """`prorata sftp` on a copy of the seeded data folder, its process given to the test to stop."""
    data = tmp_path / "var"
    shutil.copytree(seeded / "var", data)
    for name in ("id_ed25519", "id_ed25519.pub"):
        shutil.copy2(seeded / name, tmp_path / name)
    env = _environment(data)
    port = free_port()
    with (tmp_path / "sftp.log").open("wb") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "prorata"), "sftp", "--port", str(port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, "prorata sftp did not listen"
        time.sleep(0.1)
    root = data / "dropzone"
    try:
        yield DropZone(port, env, root, root / "gesfincas", tmp_path / "id_ed25519", tmp_path), server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


def _connect(zone: DropZone) -> tuple[paramiko.Transport, paramiko.SFTPClient]:
    transport = paramiko.Transport(("127.0.0.1", zone.port))
    transport.connect(username="gesfincas", pkey=paramiko.Ed25519Key.from_private_key_file(str(zone.key)))
    client = paramiko.SFTPClient.from_transport(transport)
    assert client is not None
    return transport, client


def test_sigterm_lets_an_upload_in_progress_land_and_takes_no_new_session(
    served: tuple[DropZone, subprocess.Popen[bytes]],
) -> None:
    zone, server = served
    content = b"Piso;Contador;Lectura anterior;Lectura actual\r\n" + b"1A;CAL-1;10,5;20,25\r\n" * 2000
    transport, client = _connect(zone)
    try:
        upload = client.open("lecturas.csv", "wb")
        upload.write(content[:20_000])
        upload.flush()
        server.send_signal(signal.SIGTERM)
        time.sleep(1.0)  # the server has stopped listening by now
        with pytest.raises((paramiko.SSHException, OSError, EOFError)):
            _connect(zone)
        upload.write(content[20_000:40_000])
        upload.write(content[40_000:])  # a last, shorter block: the file's end, as clients send it
        upload.close()  # the CLOSE is answered: the file landed
    finally:
        client.close()
        transport.close()
    assert server.wait(timeout=20) == 0
    log = (zone.tmp / "sftp.log").read_text()
    assert (zone.home / "lecturas.csv").read_bytes() == content, log


def test_sigterm_to_watch_finishes_the_import_of_a_file_it_claimed(tmp_path: Path, seeded: Path) -> None:
    data = tmp_path / "var"
    shutil.copytree(seeded / "var", data)
    env = _environment(data)
    # Big enough to be in progress for a while when the signal comes (it fails at the end: no community).
    rows = [f"P{n:05d};CAL-{n:05d};{n},5;{n + 1},25" for n in range(2_000)]
    (data / "dropzone" / "gesfincas" / "lecturas.csv").write_text(
        "Piso;Contador;Lectura anterior;Lectura actual\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8"
    )
    watcher = _start(env, "watch")
    try:
        zone = DropZone(0, env, data / "dropzone", data / "dropzone" / "gesfincas", tmp_path, tmp_path)
        wait_for(lambda: zone.imports() != [], 30)  # claimed, and handed to the watch's own workers
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait(timeout=10)
    (job,) = zone.imports()
    assert job.status.value not in ("received", "parsing", "validated"), job.status


def _logged(path: Path, words: str, seconds: float = 30) -> str:
    wait_for(lambda: words in path.read_text(), seconds)
    return path.read_text()


def test_sigterm_to_sftp_logs_that_it_stops_and_how_long_uploads_have(
    served: tuple[DropZone, subprocess.Popen[bytes]],
) -> None:
    zone, server = served
    log = zone.tmp / "sftp.log"
    _logged(log, "prorata sftp listening on")
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=20) == 0, log.read_text()
    lines = [line for line in log.read_text().splitlines() if "stopping" in line]
    assert len(lines) == 1, log.read_text()
    assert " INFO prorata.cli: prorata sftp: stopping; uploads in progress have 10 s to finish" in lines[0]


def test_sigterm_to_watch_logs_that_it_stops(tmp_path: Path, seeded: Path) -> None:
    data = tmp_path / "var"
    shutil.copytree(seeded / "var", data)
    log = tmp_path / "watch.log"
    watcher = _start(_environment(data), "watch", log=log)
    try:
        _logged(log, "prorata watch:")
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0, log.read_text()
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait(timeout=10)
    lines = [line for line in log.read_text().splitlines() if "stopping" in line]
    assert len(lines) == 1, log.read_text()
    assert " INFO prorata.cli: prorata watch: stopping; the file being claimed finishes first" in lines[0]
