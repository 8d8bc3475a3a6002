"""An account's folder in the drop zone, walked without following symbolic links: OpenSSH's and SFTPGo's
users can create links pointing anywhere the watcher's user reaches. Each folder is opened with O_NOFOLLOW
relative to the folder above it, already open and so already checked, and everything read, written or
moved is named relative to such a descriptor: a link swapped in after a check is never followed. The drop
zone's root is the operator's (it may be a link, to another disk); from the account's folder down, a link
is refused (`LinkRefused`)."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import BinaryIO, TextIO

from prorata.domain.dropzone.model import FAILED, PROCESSED, LinkRefused

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO named like a CSV must not hang the watcher (fstat refuses it right after).
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class FileChanged(Exception):
    """The file at the path is not the one checked any more: another took its place, or it grew."""


class Folder:
    """An open folder of an account, reached without a link; `where` is its path in the account."""

    def __init__(self, fd: int, where: str) -> None:
        self.fd = fd
        self.where = where

    @classmethod
    def of_account(cls, root: Path, username: str, *, create: bool = False) -> Folder:
        """The account's folder (made if `create`: mkdir never follows a link either)."""
        if create:
            root.mkdir(parents=True, exist_ok=True)  # the operator's root
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            if create:
                _make_folder(top, username)
            return cls(_open_folder(top, username, ""), "")
        finally:
            os.close(top)

    def child(self, name: str, *, create: bool = False) -> Folder:
        where = f"{self.where}/{name}" if self.where else name
        if create:
            _make_folder(self.fd, name)
        return Folder(_open_folder(self.fd, name, where), where)

    def descend(self, parts: Sequence[str], *, create: bool = False) -> Folder:
        """The folder at `parts` below this one (this one again for none), each made if missing when
        `create`."""
        reached = Folder(os.dup(self.fd), self.where)
        for name in parts:
            with reached:
                reached = reached.child(name, create=create)
        return reached

    def names(self) -> list[str]:
        return os.listdir(self.fd)  # noqa: PTH208 - listed by its descriptor: there is no path to follow

    def entry(self, name: str) -> os.stat_result | None:
        """What `name` is here, itself (a link is a link); None when there is nothing by that name."""
        return _entry(self.fd, _plain(name))

    def open_regular(self, name: str) -> BinaryIO:
        """The file `name` opened for reading, never through a link (LinkRefused if it is one now)."""
        try:
            fd = os.open(_plain(name), _READ, dir_fd=self.fd)
        except OSError:
            self._refuse_link(name)
            raise
        return os.fdopen(fd, "rb")

    @contextmanager
    def replacing(self, name: str) -> Iterator[TextIO]:
        """A text file written under a fresh temporary name (O_EXCL: never an existing file, nor through
        a link), then renamed over `name`: a rename replaces whatever is there at once — a link itself,
        never its target — so a reader sees the old file or the new one."""
        # Hidden (no watcher claims it), and short: `name` may take a folder entry's every byte already.
        temporary = f".{secrets.token_hex(8)}.tmp"
        _plain(name)
        fd = os.open(temporary, _CREATE, 0o666, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
                yield out
            os.rename(temporary, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=self.fd)
            raise

    def move(self, name: str, into: Folder, as_name: str) -> None:
        """A rename moves the entry itself: it follows no link, at the source or at the target."""
        os.rename(_plain(name), _plain(as_name), src_dir_fd=self.fd, dst_dir_fd=into.fd)

    def move_new(self, name: str, into: Folder, as_name: str) -> None:
        """Moves the entry itself (a link stays a link) to a name nothing holds: a hard link, then an
        unlink. FileExistsError when something is at `as_name` already — never replaced, unlike by a
        rename; another OSError when the filesystem has no hard links."""
        os.link(_plain(name), _plain(as_name), src_dir_fd=self.fd, dst_dir_fd=into.fd, follow_symlinks=False)
        os.unlink(name, dir_fd=self.fd)

    def remove(self, name: str) -> None:
        with suppress(FileNotFoundError):
            os.unlink(_plain(name), dir_fd=self.fd)

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> Folder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _refuse_link(self, name: str) -> None:
        found = self.entry(name)
        if found is not None and stat.S_ISLNK(found.st_mode):
            where = f"{self.where}/{name}" if self.where else name
            raise LinkRefused(where, found.st_size, found.st_mtime_ns) from None


def stat_dropped(root: Path, username: str, relative: PurePosixPath) -> os.stat_result | None:
    """The dropped file as it stands (not following it), or None when it is gone or a folder. Raises
    LinkRefused when it is a link, or a folder on its path is, or the account's folder, or processed/ or
    failed/ (the file's outcome could not be written safely)."""
    try:
        with Folder.of_account(root, username) as account:
            with account.descend(relative.parts[:-1]) as parent:
                found = parent.entry(relative.name)
            if found is None or stat.S_ISDIR(found.st_mode):
                return None
            if stat.S_ISLNK(found.st_mode):
                raise LinkRefused(str(relative), found.st_size, found.st_mtime_ns)
            for outcome in (PROCESSED, FAILED):
                folder = account.entry(outcome)
                if folder is not None and stat.S_ISLNK(folder.st_mode):
                    raise LinkRefused(outcome, found.st_size, found.st_mtime_ns)
            return found
    except (FileNotFoundError, NotADirectoryError):
        return None


def open_dropped(root: Path, username: str, relative: PurePosixPath, checked: os.stat_result) -> BinaryIO:
    """The dropped file checked by `stat_dropped`, opened for reading: the descriptor is checked to be
    that very file (a regular file, same device and inode, the size claimed), so what is read from it is
    what was checked, whatever the path names afterwards. LinkRefused if a link took its place (or a
    folder's on its path); FileChanged if another file did, or it changed size."""
    with (
        Folder.of_account(root, username) as account,
        account.descend(relative.parts[:-1]) as parent,
    ):
        reader = parent.open_regular(relative.name)
    opened = os.fstat(reader.fileno())
    same = (opened.st_dev, opened.st_ino, opened.st_size) == (
        checked.st_dev,
        checked.st_ino,
        checked.st_size,
    )
    if not (stat.S_ISREG(opened.st_mode) and same):
        reader.close()
        raise FileChanged(str(relative))
    return reader


def _make_folder(parent: int, name: str) -> None:
    with suppress(FileExistsError):
        os.mkdir(_plain(name), dir_fd=parent)


def _open_folder(parent: int, name: str, where: str) -> int:
    try:
        return os.open(_plain(name), _FOLDER, dir_fd=parent)
    except OSError:
        found = _entry(parent, name)
        if found is not None and stat.S_ISLNK(found.st_mode):
            raise LinkRefused(where, found.st_size, found.st_mtime_ns) from None
        raise


def _entry(parent: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _plain(name: str) -> str:
    """A name within one folder: never `..`, `.` or a path, which would walk out of the checked one."""
    if name in ("", ".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"{name!r} is not a name within a folder")
    return name
