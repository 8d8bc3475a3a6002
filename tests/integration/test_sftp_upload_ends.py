"""An upload of whole blocks over our SFTP server, a paramiko client writing 32 KiB at a time: a workbook
whose bytes show their end lands; one whose bytes cannot be read for it is discarded and leaves nothing
behind — no `.upload-…` file waiting for the next start to clear it."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from prorata.entrypoints.sftp import filesystem
from tests import workbooks
from tests.integration.sftp_zone import Zone

BLOCK = 32768
ROWS = [["Piso", "Lectura"]] + [[f"Piso {n}", n * 1.5] for n in range(3000)]


def _put_in_blocks(zone: Zone, name: str, content: bytes) -> None:
    with zone.client() as sftp, sftp.open(name, "wb") as handle:
        for at in range(0, len(content), BLOCK):
            handle.write(content[at : at + BLOCK])
            handle.flush()


def _book(tmp_path: Path) -> bytes:
    path = workbooks.to_whole_blocks(workbooks.xlsx(tmp_path / "book.xlsx", {"Lecturas": ROWS}))
    return path.read_bytes()


def _home(zone: Zone, tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "dropzone" / zone.user).iterdir())


def test_a_workbook_of_whole_blocks_lands(zone: Zone, tmp_path: Path) -> None:
    content = _book(tmp_path)
    _put_in_blocks(zone, "lecturas.xlsx", content)
    assert _home(zone, tmp_path) == ["lecturas.xlsx"]
    assert (tmp_path / "dropzone" / zone.user / "lecturas.xlsx").read_bytes() == content


def test_an_upload_whose_bytes_cannot_be_read_is_discarded_leaving_nothing(
    zone: Zone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreadable(size: int, read: object) -> bool:
        raise OSError(5, "Input/output error")

    caplog.set_level(logging.INFO)
    monkeypatch.setattr(filesystem, "shows_its_end", unreadable)
    _put_in_blocks(zone, "lecturas.xlsx", _book(tmp_path))  # paramiko's client ignores a failed CLOSE
    deadline = time.monotonic() + 10
    said = _said(caplog)
    while not any("discarded whole" in line for line in said):
        assert time.monotonic() < deadline, said
        time.sleep(0.05)
        said = _said(caplog)
    assert any("could not be read for their end" in line for line in said), said
    assert _home(zone, tmp_path) == []


def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == filesystem.__name__]
