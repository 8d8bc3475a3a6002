"""Which temporary upload files a starting `prorata sftp` removes: those no live process holds — never the
upload in progress of another `prorata sftp` serving the same folder, never a file that is not its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from prorata.domain.dropzone.model import HOLDS
from prorata.entrypoints.sftp import unfinished

_UPLOADING = """
import sys, time
from pathlib import Path
from prorata.entrypoints.sftp import unfinished
unfinished.create(Path(sys.argv[1]))
print("holding", flush=True)
time.sleep(60)
"""


def test_an_upload_another_process_is_receiving_stays_until_that_process_is_killed(tmp_path: Path) -> None:
    home = tmp_path / "gesfincas"
    home.mkdir()
    temporary = home / ".upload-0123456789abcdef"
    other = subprocess.Popen(
        [sys.executable, "-c", _UPLOADING, str(temporary)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None
        assert other.stdout.readline() == "holding\n"
        assert unfinished.discard_unfinished(tmp_path) == 0
        assert temporary.exists()
    finally:
        other.kill()
        other.wait(timeout=10)
    assert unfinished.discard_unfinished(tmp_path) == 1
    assert not temporary.exists()


def test_an_upload_of_this_process_in_progress_stays_and_goes_once_released(tmp_path: Path) -> None:
    temporary = tmp_path / "gesfincas" / ".upload-fedcba9876543210"
    temporary.parent.mkdir()
    writefile, lock = unfinished.create(temporary)
    writefile.write(b"1A;CAL-1;10,5;20,25\r\n")
    writefile.close()  # written, not yet landed: the lock is what says it is in progress
    assert unfinished.discard_unfinished(tmp_path) == 0
    os.close(lock)
    assert unfinished.discard_unfinished(tmp_path) == 1


def test_only_its_own_temporary_files_are_removed(tmp_path: Path) -> None:
    home = tmp_path / "gesfincas"
    (home / HOLDS / "hold").mkdir(parents=True)
    (home / "sub").mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text("not the drop zone's")
    kept = [
        home / "lecturas.csv",
        home / ".upload-notours",
        home / ".upload-0123456789abcdef.part",
        home / HOLDS / "hold" / ".upload-0123456789abcdef",  # claimed files only live there
        home / ".upload-aaaaaaaaaaaaaaaa.new",  # just made, its lock about to be taken
    ]
    for path in kept:
        path.write_text("x")
    link = home / ".upload-bbbbbbbbbbbbbbbb"
    link.symlink_to(outside)
    removed = [home / ".upload-cccccccccccccccc", home / "sub" / ".upload-dddddddddddddddd"]
    stale_unnamed = home / ".upload-eeeeeeeeeeeeeeee.new"
    for path in [*removed, stale_unnamed]:
        path.write_text("left by a killed process")
    old = time.time() - 2 * unfinished.UNNAMED_SECONDS
    os.utime(stale_unnamed, (old, old))

    assert unfinished.discard_unfinished(tmp_path) == 3

    assert all(path.exists() for path in kept)
    assert link.is_symlink()
    assert outside.read_text() == "not the drop zone's"
    assert not any(path.exists() for path in [*removed, stale_unnamed])
