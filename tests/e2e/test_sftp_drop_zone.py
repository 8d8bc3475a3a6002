"""The drop zone as a legacy system uses it: OpenSSH's own `sftp` client against `prorata sftp`, with
`prorata watch` importing what lands."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from tests.e2e.conftest import free_port

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.skipif(shutil.which("sftp") is None, reason="OpenSSH's sftp client is not installed")


@dataclass
class DropZone:
    port: int
    env: dict[str, str]
    root: Path
    home: Path
    key: Path
    tmp: Path

    def sftp(
        self,
        commands: str,
        *,
        key: Path | None = None,
        password: str | None = None,
        user: str = "gesfincas",
        extra: tuple[str, ...] = (),
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        """Runs OpenSSH's sftp in batch mode; a password is given the way OpenSSH asks for one (askpass)."""
        options = [
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "NumberOfPasswordPrompts=1",
            "-o",
            "ConnectTimeout=10",
        ]
        env = dict(os.environ)
        if password is None:
            options += [
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "PreferredAuthentications=publickey",
                "-i",
                str(key or self.key),
            ]
        else:
            askpass = self.tmp / "askpass.sh"
            askpass.write_text(f"#!/bin/sh\necho '{password}'\n")
            askpass.chmod(0o700)
            options += [
                "-o",
                "BatchMode=no",
                "-o",
                "PreferredAuthentications=password",
                "-o",
                "PubkeyAuthentication=no",
            ]
            env |= {"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}
        # Options go before -b: sftp's batch mode adds BatchMode=yes, and ssh keeps the first value it reads.
        return subprocess.run(
            ["sftp", *options, "-b", "-", "-P", str(self.port), *extra, f"{user}@127.0.0.1"],
            input=commands,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )

    def imports(self) -> list[Any]:
        parts = bootstrap(Settings.from_environment(self.env))
        with parts.unit_of_work() as uow:
            found = uow.imports.list(None).items
        parts.engine.dispose()
        return found


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    command = Path(sys.executable).parent / "prorata"
    done = subprocess.run(
        [str(command), *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _start(env: dict[str, str], *args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    command = Path(sys.executable).parent / "prorata"
    errors = log.open("wb") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(
        [str(command), *args], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=errors
    )


def _until_listening(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Wait for the port; a server that exits (its port taken meanwhile…) fails at once, saying why."""
    deadline = time.monotonic() + 30
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert server.poll() is None, f"prorata sftp exited {server.returncode}: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"prorata sftp did not listen: {log.read_text()[-2000:]}"
        time.sleep(0.1)


def _environment(data: Path) -> dict[str, str]:
    return {
        "PRORATA_DATA_DIR": str(data),
        "PRORATA_DROP_STABLE_SECONDS": "1",
        "PRORATA_DROP_RESCAN_SECONDS": "2",
        "PRORATA_SFTP_MAX_FAILURES": "3",
        "PRORATA_SFTP_BAN_SECONDS": "60",
        "PRORATA_DATABASE_URL": "",
        "PRORATA_BROKER_URL": "",
    }


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A data folder with a tenant and its two SFTP users, made once with the CLI as an operator does;
    each test works on its own copy (three CLI runs and a key per test cost seconds each). Under xdist the
    run's workers share one, made by the first to ask for it in the run's own base folder."""
    if worker_id == "master":
        return _seed(tmp_path_factory.mktemp("seeded"))
    shared = tmp_path_factory.getbasetemp().parent  # this run's, shared by its workers
    with (shared / "seeded.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        seed = shared / "seeded"
        if not (seed / "done").exists():
            shutil.rmtree(seed, ignore_errors=True)  # a worker that failed midway
            seed.mkdir()
            _seed(seed)
            (seed / "done").touch()
    return seed


def _seed(seed: Path) -> Path:
    env = _environment(seed / "var")
    tenant = _cli(env, "tenants", "create", "Fincas SFTP", "--json").strip()
    tenant_id = __import__("json").loads(tenant)["id"]
    key = seed / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30)
    _cli(
        env,
        "sftp-users",
        "add",
        "--tenant",
        tenant_id,
        "--username",
        "gesfincas",
        "--public-key",
        f"{key}.pub",
    )
    _cli(
        env,
        "sftp-users",
        "add",
        "--tenant",
        tenant_id,
        "--username",
        "vecino",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    return seed


@pytest.fixture
def zone(tmp_path: Path, seeded: Path) -> Iterator[DropZone]:
    data = tmp_path / "var"
    shutil.copytree(seeded / "var", data)
    key = tmp_path / "id_ed25519"
    for name in ("id_ed25519", "id_ed25519.pub"):
        shutil.copy2(seeded / name, tmp_path / name)
    env = _environment(data)
    port = free_port()
    log = tmp_path / "sftp.log"
    server = _start(env, "sftp", "--port", str(port), log=log)
    _until_listening(server, port, log)
    root = data / "dropzone"
    try:
        yield DropZone(port, env, root, root / "gesfincas", key, tmp_path)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture
def watcher(zone: DropZone) -> Iterator[subprocess.Popen[bytes]]:
    process = _start(zone.env, "watch")
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_legacy_system_pushes_lecturas_and_fetches_its_outcome(
    zone: DropZone, watcher: Any, tmp_path: Path
) -> None:
    source = tmp_path / "lecturas.csv"
    shutil.copy(SAMPLES / "readings-heating-es.csv", source)
    sent = zone.sftp(f"put {source} lecturas.csv\n")
    assert sent.returncode == 0, sent.stderr
    result = zone.home / "failed" / "lecturas.csv.result.json"  # no community in file nor folder: it fails
    wait_for(result.exists)
    assert [job.original_name for job in zone.imports()] == ["lecturas.csv"]
    fetched = tmp_path / "outcome.json"
    got = zone.sftp(f"get failed/lecturas.csv.result.json {fetched}\n")
    assert got.returncode == 0, got.stderr
    assert '"status": "failed"' in fetched.read_text()
    workbook = tmp_path / "export.xlsx"
    shutil.copy(SAMPLES / "export-multi-community.xlsx", workbook)
    assert zone.sftp(f"put {workbook}\n").returncode == 0
    wait_for((zone.home / "processed" / "export.xlsx.result.json").exists)
    assert '"status": "settled"' in (zone.home / "processed" / "export.xlsx.result.json").read_text()


def test_an_upload_cut_off_midway_leaves_nothing_to_import(
    zone: DropZone, watcher: Any, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"Piso;Lectura anterior;Lectura actual\n" + b"1A;1;2\n" * 3_000_000)
    client = subprocess.Popen(
        [
            "sftp",
            "-b",
            "-",
            "-l",
            "2000",
            "-P",
            str(zone.port),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-i",
            str(zone.key),
            "gesfincas@127.0.0.1",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert client.stdin is not None
    client.stdin.write(f"put {big} big.csv\n".encode())
    client.stdin.close()
    wait_for(lambda: any(p.name.startswith(".upload-") for p in zone.home.iterdir()), 20)
    time.sleep(1)
    client.send_signal(signal.SIGKILL)
    client.wait(timeout=30)
    wait_for(lambda: not any(zone.home.iterdir()), 10)  # the partial upload is discarded
    time.sleep(3)  # longer than the watcher's stability wait and rescan
    assert zone.imports() == []


ESCAPES = {
    "dot-dot": "get ../../../../../../etc/hostname {out}",
    "absolute": "get /etc/hostname {out}",
    "link to outside": "get outside/secret.txt {out}",
    "write through link": "put {src} outside/evil.csv",
    "prefix sibling": "get sibling/secret.txt {out}",
    "dangling link": "put {src} dangling.csv",
    "chained links": "get chain/secret.txt {out}",
    "list through link": "ls outside/",
    "symlink request": "symlink /etc/hostname mine.csv",
    "rename into link": "rename inside.csv outside/moved.csv",
}


def test_nothing_reaches_outside_the_account_folder(zone: DropZone, tmp_path: Path) -> None:
    """One server for the whole matrix: each attempt is checked on its own."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    sibling = zone.root / "gesfincas-evil"  # shares the account folder's name as a prefix
    sibling.mkdir(parents=True)
    (sibling / "secret.txt").write_text("secret")
    zone.home.mkdir(parents=True, exist_ok=True)
    (zone.home / "outside").symlink_to(outside)
    (zone.home / "sibling").symlink_to(sibling)
    (zone.home / "dangling.csv").symlink_to(outside / "created-through-dangling.csv")
    (zone.home / "hop").symlink_to(zone.home / "outside")
    (zone.home / "chain").symlink_to(zone.home / "hop")
    (zone.home / "inside.csv").write_text("Piso;Lectura\n")
    source = tmp_path / "evil.csv"
    source.write_text("Piso;Lectura\n1A;1\n")
    before = sorted(p.name for p in outside.iterdir())
    for name, command in ESCAPES.items():
        run = zone.sftp(command.format(out=tmp_path / "stolen.txt", src=source) + "\n")
        if name == "list through link":  # the link itself may be listed; nothing behind it
            assert "secret" not in run.stdout, name
        else:
            assert run.returncode != 0, (name, run.stdout)
        assert not (tmp_path / "stolen.txt").exists(), name
        assert sorted(p.name for p in outside.iterdir()) == before, name
        assert not (sibling / "evil.csv").exists(), name
        assert not (zone.home / "mine.csv").exists(), name
        assert (zone.home / "inside.csv").exists(), name


def test_wrong_credentials_are_refused_and_repeated_failures_ban(zone: DropZone, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True, timeout=30
    )
    assert zone.sftp("ls\n", key=stranger).returncode != 0
    assert zone.sftp("ls\n", user="vecino", password=PASSWORD).returncode == 0
    for _ in range(3):
        assert zone.sftp("ls\n", user="vecino", password="wrong").returncode != 0
    banned = zone.sftp("ls\n", user="vecino", password=PASSWORD)
    assert banned.returncode != 0, "a banned login got in with the right password"


def test_two_watchers_claim_a_file_once(zone: DropZone, tmp_path: Path) -> None:
    watchers = [_start(zone.env, "watch") for _ in range(2)]
    try:
        workbook = tmp_path / "export.xlsx"
        shutil.copy(SAMPLES / "export-multi-community.xlsx", workbook)
        assert zone.sftp(f"put {workbook}\n").returncode == 0
        wait_for((zone.home / "processed" / "export.xlsx.result.json").exists)
        time.sleep(3)
    finally:
        for process in watchers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    assert len(zone.imports()) == 1
    assert sorted(p.name for p in (zone.home / "processed").iterdir()) == [
        "export.xlsx",
        "export.xlsx.result.json",
    ]
