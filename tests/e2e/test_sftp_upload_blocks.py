"""Files of an exact number of OpenSSH's 32 KiB blocks, put with `sftp` against `prorata sftp` and imported
by `prorata watch`: on the wire such an upload is one cut after a full block. A workbook's bytes show it is
whole; a cut one is refused; a CSV needs its size stated, as `scp` does."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests import workbooks
from tests.e2e import test_sftp_drop_zone as base
from tests.e2e.test_sftp_drop_zone import DropZone, wait_for

pytestmark = base.pytestmark
seeded = base.seeded
zone = base.zone
watcher = base.watcher


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


BLOCK = 32768  # what OpenSSH's sftp writes at a time
ROWS = [["Piso", "Contador", "Lectura"]] + [[f"Piso {n:05d}", f"CAL-{n:05d}", n * 1.5] for n in range(3000)]


def _readings_of_whole_blocks(path: Path, blocks: int) -> Path:
    """A CSV exactly `blocks` × 32 KiB long, its last row whole."""
    line = "Piso 00001;CAL-00001;1,5;2,25\n"
    header = "Piso;Contador;Lectura anterior;Lectura actual\n"
    body = line * ((blocks * BLOCK - len(header)) // len(line))
    rest = blocks * BLOCK - len(header) - len(body)
    path.write_text(header + body[:-1] + " " * rest + "\n", encoding="utf-8")  # padded in its last field
    assert path.stat().st_size == blocks * BLOCK
    return path


def _scp(zone: DropZone, source: Path, name: str, protocol: str = "-s") -> subprocess.CompletedProcess[str]:
    """OpenSSH's scp over SFTP (`-s`, its protocol since 9.0): it states the size after its last write.
    `-O` is the legacy SCP protocol, a command run on the server."""
    options = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
    options += [
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-i",
        str(zone.key),
        protocol,
        "-P",
        str(zone.port),
    ]
    return subprocess.run(
        ["scp", *options, str(source), f"gesfincas@127.0.0.1:{name}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_workbook_of_an_exact_number_of_blocks_is_imported(
    zone: DropZone, watcher: Any, tmp_path: Path, kind: str
) -> None:
    """OpenSSH's put of a file of whole 32 KiB blocks is, on the wire, a transfer cut after a full block; a
    workbook's own bytes show it is whole (one XLS in 64 is such a file: its size is a number of sectors)."""
    book = getattr(workbooks, kind)(tmp_path / f"lecturas.{kind}", {"Lecturas": ROWS})
    workbooks.to_whole_blocks(book)
    sent = zone.sftp(f"put {book}\n")
    assert sent.returncode == 0, sent.stderr
    wait_for((zone.home / "failed" / f"lecturas.{kind}.result.json").exists)  # no community: it fails
    [job] = zone.imports()
    assert job.size == book.stat().st_size
    assert job.size % BLOCK == 0


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_workbook_cut_after_a_full_block_is_refused(
    zone: DropZone, watcher: Any, tmp_path: Path, kind: str
) -> None:
    """What the server receives when a put is interrupted after two blocks: their bytes, then CLOSE."""
    whole = getattr(workbooks, kind)(tmp_path / f"whole.{kind}", {"Lecturas": ROWS * 2})
    assert whole.stat().st_size > 2 * BLOCK
    cut = tmp_path / f"lecturas.{kind}"
    cut.write_bytes(whole.read_bytes()[: 2 * BLOCK])
    sent = zone.sftp(f"put {cut}\n")
    assert sent.returncode != 0
    assert "Failure" in sent.stderr, sent.stderr
    time.sleep(3)
    assert zone.imports() == []
    assert _files(zone.home) == []


def test_a_csv_of_an_exact_number_of_blocks_is_refused_by_put_and_taken_by_scp(
    zone: DropZone, watcher: Any, tmp_path: Path
) -> None:
    """Text cannot show its end: put's CLOSE fails, visibly; scp, which states the size, gets it in."""
    source = _readings_of_whole_blocks(tmp_path / "lecturas.csv", 3)
    sent = zone.sftp(f"put {source}\n")
    assert sent.returncode != 0
    assert "Failure" in sent.stderr, sent.stderr
    assert _scp(zone, source, "lecturas.csv", "-O").returncode != 0  # no commands run here
    copied = _scp(zone, source, "lecturas.csv")
    assert copied.returncode == 0, copied.stderr
    wait_for((zone.home / "failed" / "lecturas.csv.result.json").exists)  # no community: it fails
    [job] = zone.imports()
    assert job.size == 3 * BLOCK
