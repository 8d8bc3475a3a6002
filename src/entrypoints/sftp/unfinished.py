"""The temporary files of uploads in progress (`.upload-<hex>`, filesystem.py), and those a stopped process
left. An upload holds an exclusive lock (flock) on its temporary file from before the file has that name
until it landed or was removed; the kernel drops a lock when its process ends, however it ends. So
`prorata sftp`, as it starts, removes every `.upload-<hex>` file nobody holds — left by a process killed
(SIGKILL, a crash, the machine stopping) — and leaves alone those of another `prorata sftp` serving the
same folder. On a filesystem that keeps no locks nothing is removed."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import stat
import time
from pathlib import Path
from typing import BinaryIO

from prorata.domain.dropzone.model import HOLDS, TEMPORARY_PREFIX

log = logging.getLogger(__name__)

# The name a temporary file has until it is locked: a process killed between creating and locking it (a
# few microseconds) leaves one, removed once it is this old.
UNNAMED_SUFFIX = ".new"
UNNAMED_SECONDS = 60.0
_OURS = re.compile(rf"{re.escape(TEMPORARY_PREFIX)}[0-9a-f]{{16}}({re.escape(UNNAMED_SUFFIX)})?")


def create(temporary: Path) -> tuple[BinaryIO, int]:
    """`temporary`, new and open to write, and a descriptor holding its lock (close it once the upload
    landed or was removed: not before, or a starting process could remove it meanwhile)."""
    unnamed = temporary.with_name(temporary.name + UNNAMED_SUFFIX)
    writefile = unnamed.open("xb")
    try:
        lock = os.open(unnamed, os.O_RDONLY | os.O_CLOEXEC)
        with contextlib.suppress(OSError):  # a filesystem without locks: no process removes it either
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        unnamed.rename(temporary)
    except BaseException:
        writefile.close()
        unnamed.unlink(missing_ok=True)
        raise
    return writefile, lock


def discard_unfinished(root: Path) -> int:
    """Remove the temporary files under `root` that no upload in progress holds; how many were removed."""
    removed = 0
    for folder, folders, files in os.walk(root):
        if Path(folder).parent == root and HOLDS in folders:
            folders.remove(HOLDS)  # claimed files only, never an upload
        for name in files:
            if _OURS.fullmatch(name) and _discard_if_nobody_holds(Path(folder) / name):
                removed += 1
    return removed


def _discard_if_nobody_holds(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False  # gone, or a link: not one of ours
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # an upload in progress holds it (or locks are not kept here)
        if path.name.endswith(UNNAMED_SUFFIX) and time.time() - found.st_mtime < UNNAMED_SECONDS:
            return False
        if os.lstat(path).st_ino != found.st_ino:
            return False  # another file took the name meanwhile
        path.unlink()
    except OSError:
        return False
    finally:
        os.close(fd)
    log.warning(
        "upload left in %r discarded whole: the prorata sftp receiving it stopped first (%d bytes arrived)",
        str(path),
        found.st_size,
    )
    return True
