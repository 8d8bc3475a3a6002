"""Uploads are complete or absent: OpenSSH's `sftp` against `prorata sftp`, `prorata watch` importing what
lands. An interrupted transfer is never imported; each upload of a name is its own import."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.e2e import test_sftp_drop_zone as base
from tests.e2e.test_sftp_drop_zone import DropZone, wait_for

pytestmark = base.pytestmark
seeded = base.seeded
zone = base.zone
watcher = base.watcher


def _readings(path: Path, rows: int) -> Path:
    lines = ["Piso;Contador;Lectura anterior;Lectura actual"]
    lines += [f"Piso {n:05d};CAL-{n:05d};{n},5;{n + 1},25" for n in range(rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _uploading(zone: DropZone, commands: str) -> subprocess.Popen[bytes]:
    """OpenSSH's sftp in batch mode, throttled to 2 Mbit/s so that a large file takes seconds."""
    client = subprocess.Popen(
        [
            "sftp",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "IdentitiesOnly=yes",
            "-i",
            str(zone.key),
            "-l",
            "2000",
            "-b",
            "-",
            "-P",
            str(zone.port),
            "gesfincas@127.0.0.1",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert client.stdin is not None
    client.stdin.write(commands.encode())
    client.stdin.close()
    return client


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_an_upload_interrupted_with_ctrl_c_is_not_imported(
    zone: DropZone, watcher: Any, tmp_path: Path
) -> None:
    """OpenSSH's sftp, interrupted, stops writing and closes the handle as if the file had ended there."""
    big = _readings(tmp_path / "readings-q1.csv", 30_000)  # ≈ 1.3 MB: ≈ 5 s at 2 Mbit/s
    client = _uploading(zone, f"put {big} readings-q1.csv\n")
    try:
        wait_for(
            lambda: any(
                p.name.startswith(".upload-") and p.stat().st_size > 100_000
                for p in zone.home.iterdir()
                if p.is_file()
            ),
            20,
        )
        client.send_signal(signal.SIGINT)  # what Ctrl-C does; its ssh child ignores it
        client.wait(timeout=30)
    finally:
        if client.poll() is None:
            client.kill()
    time.sleep(4)  # longer than the watcher's stability wait and rescan
    assert zone.imports() == []
    left = [name for name in _files(zone.home) if not Path(name).name.startswith(".upload-")]
    assert left == [], "an interrupted upload left a file to import"


def test_a_filepart_upload_renamed_when_done_is_imported_and_the_filepart_alone_is_not(
    zone: DropZone, watcher: Any, tmp_path: Path
) -> None:
    source = _readings(tmp_path / "lecturas.csv", 3)
    sent = zone.sftp(
        f"put {source} lecturas.csv.filepart\nrename lecturas.csv.filepart lecturas.csv\n"
        f"put {source} otra.csv.filepart\n"
    )
    assert sent.returncode == 0, sent.stderr
    wait_for((zone.home / "failed" / "lecturas.csv.result.json").exists)  # no community: it fails
    time.sleep(3)
    assert [job.original_name for job in zone.imports()] == ["lecturas.csv"]
    assert (zone.home / "otra.csv.filepart").exists()  # never renamed: never imported


def _results(zone: DropZone) -> dict[str, dict[str, Any]]:
    found = {}
    for folder in ("processed", "failed"):
        for result in (zone.home / folder).glob("*.result.json") if (zone.home / folder).exists() else []:
            found[f"{folder}/{result.name.removesuffix('.result.json')}"] = json.loads(result.read_text())
    return found


def _assert_each_result_describes_the_file_beside_it(zone: DropZone, expected: int) -> None:
    wait_for(lambda: len(_results(zone)) >= expected, 30)
    time.sleep(3)  # nothing more is coming
    results = _results(zone)
    jobs = {job.id: job for job in zone.imports()}
    assert len(results) == expected == len(jobs), (results, list(jobs))
    for beside, result in results.items():
        job = jobs[result["import_id"]]
        content = (zone.home / beside).read_bytes()
        assert hashlib.sha256(content).hexdigest() == job.sha256, f"{beside}'s result is another file's"
    assert len({result["import_id"] for result in results.values()}) == expected


def test_two_uploads_of_the_same_name_are_two_imports_each_with_its_own_result(
    zone: DropZone, watcher: Any, tmp_path: Path
) -> None:
    first = _readings(tmp_path / "first.csv", 3)
    second = _readings(tmp_path / "second.csv", 4)
    sent = zone.sftp(f"put {first} lecturas.csv\nput {second} lecturas.csv\n")
    assert sent.returncode == 0, sent.stderr
    _assert_each_result_describes_the_file_beside_it(zone, 2)
    assert sorted(p.name for p in zone.home.iterdir()) == ["failed"]  # nothing else left behind


def test_concurrent_uploads_of_the_same_name_are_each_imported_once_with_their_own_result(
    zone: DropZone, watcher: Any, tmp_path: Path
) -> None:
    sources = [_readings(tmp_path / f"source{n}.csv", 200 + n) for n in range(3)]
    clients = [_uploading(zone, f"put {source} lecturas.csv\n") for source in sources]
    for client in clients:
        assert client.wait(timeout=60) == 0
    _assert_each_result_describes_the_file_beside_it(zone, 3)
    assert not any(p.name.startswith(".upload-") for p in zone.home.iterdir())


def test_a_normal_put_of_a_large_file_is_imported_whole(zone: DropZone, watcher: Any, tmp_path: Path) -> None:
    big = _readings(tmp_path / "readings-q1.csv", 5_000)  # ≈ 160 KB: 32 KiB blocks, the last one short
    sent = zone.sftp(f"put {big}\n")
    assert sent.returncode == 0, sent.stderr
    wait_for((zone.home / "failed" / "readings-q1.csv.result.json").exists)  # no community: it fails
    [job] = zone.imports()
    assert job.size == big.stat().st_size
    assert (zone.home / "failed" / "readings-q1.csv").read_bytes() == big.read_bytes()


def test_a_filepart_renamed_onto_a_file_waiting_to_be_imported_lands_beside_it(
    zone: DropZone, tmp_path: Path
) -> None:
    """Upload to `.filepart`, then rename: done twice before the first is claimed (no watcher runs here),
    the second is its own file, as a second put of the name is — not a failed batch, not a lost file."""
    first = _readings(tmp_path / "first.csv", 3)
    second = _readings(tmp_path / "second.csv", 4)
    sent = zone.sftp(
        f"put {first} lecturas.csv.filepart\nrename lecturas.csv.filepart lecturas.csv\n"
        f"put {second} lecturas.csv.filepart\nrename lecturas.csv.filepart lecturas.csv\n"
    )
    assert sent.returncode == 0, sent.stderr
    assert _files(zone.home) == ["lecturas.1.csv", "lecturas.csv"]
    assert (zone.home / "lecturas.csv").read_bytes() == first.read_bytes()
    assert (zone.home / "lecturas.1.csv").read_bytes() == second.read_bytes()
