"""The SFTP operations on a jailed account folder. An upload is written under a temporary name and becomes
the real file only when the client closes it having shown it sent the whole file (domain/dropzone/
uploads.py and workbook_ends.py); otherwise — interrupted, cut off, too large — it is discarded and the
close fails. A finished upload never replaces a file waiting to be imported: it lands beside it as
`name.1.csv`."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
from pathlib import Path, PurePosixPath
from typing import Any

import paramiko
from paramiko.sftp import SFTP_FAILURE, SFTP_NO_SUCH_FILE, SFTP_OK, SFTP_PERMISSION_DENIED

from prorata.domain.dropzone.model import (
    ALLOWED_SUFFIXES,
    HOLDS,
    NAME_MAX,
    TEMPORARY_PREFIX,
    numbered_name,
)
from prorata.domain.dropzone.uploads import UploadProgress
from prorata.domain.dropzone.workbook_ends import shows_its_end
from prorata.entrypoints.sftp import unfinished
from prorata.entrypoints.sftp.jail import Escape, Jail

log = logging.getLogger(__name__)

# Names clients upload to before renaming (WinSCP's .filepart, and the like).
CLIENT_TEMPORARY_SUFFIXES = (".filepart", ".part", ".tmp")
_WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Reserved(PermissionError):
    """The drop zone's own files: uploads in progress, claimed files in their holds."""


class IncompleteUpload(OSError):
    """Raised from a handle's close: paramiko answers the CLOSE with a failure, so the client (OpenSSH's
    sftp: "close remote …: Failure", exit status 1) knows the file was not taken."""


def _code(error: OSError) -> int:
    if isinstance(error, Escape | Reserved) or error.errno in (errno.EACCES, errno.EPERM):
        return SFTP_PERMISSION_DENIED
    if error.errno == errno.ENOENT:
        return SFTP_NO_SUCH_FILE
    return SFTP_FAILURE


def _temporary_name(name: str) -> bool:
    return name.lower().endswith(CLIENT_TEMPORARY_SUFFIXES)


class UploadHandle(paramiko.SFTPHandle):
    """Writes to a temporary file beside the target, noting what was written; on close the file lands
    if the writes show the whole file arrived, and is removed otherwise."""

    def __init__(self, temporary: Path, target: Path, max_bytes: int) -> None:
        super().__init__()
        self.temporary = temporary
        self.target = target
        self.max_bytes = max_bytes
        self.progress = UploadProgress()
        self.too_large = False
        self.cut = False  # the session ended with the file open
        self.closed = False
        self.writefile, self.lock = unfinished.create(temporary)  # held until it landed or was removed

    def write(self, offset: int, data: bytes) -> int:
        if offset + len(data) > self.max_bytes:
            self.too_large = True
            return SFTP_PERMISSION_DENIED
        result: int = super().write(offset, data)
        if result == SFTP_OK:
            self.progress = self.progress.wrote(offset, len(data))
        return result

    def close(self) -> None:
        if self.closed:  # a failed close is repeated when the session ends
            return
        self.closed = True
        landed = None
        try:
            super().close()
            why = self._incomplete()
            if why is None:
                landed = _land(self.temporary, self.target)
                log.info("upload of %s complete: %d bytes", landed, self.progress.written)
                return
        finally:  # whatever went wrong, an upload that did not land leaves nothing behind
            if landed is None:
                self.temporary.unlink(missing_ok=True)
            os.close(self.lock)
        log.warning("upload of %s discarded whole: %s", self.target, why)
        if not self.cut:
            raise IncompleteUpload(errno.EIO, f"upload discarded: {why}")

    def _incomplete(self) -> str | None:
        if self.cut:
            return "the session ended with the file open"
        if self.too_large:
            return f"larger than the limit of {self.max_bytes} bytes"
        if self.progress.ends_on_a_full_block and self._shows_its_end():
            return None
        return self.progress.incomplete()

    def _shows_its_end(self) -> bool:
        try:
            with self.temporary.open("rb") as written:
                return shows_its_end(
                    self.progress.written, lambda at, length: os.pread(written.fileno(), length, at)
                )
        except Exception:  # bytes it cannot make sense of show no end: the upload is discarded
            log.exception("upload of %s: its bytes could not be read for their end", self.target)
            return False

    def stat(self) -> Any:
        return paramiko.SFTPAttributes.from_stat(self.temporary.stat())

    def chattr(self, attr: Any) -> int:
        """Modes and times are not the client's to set (accepted, ignored); a size is its statement of
        the file's length, and truncates it as SFTP says."""
        if attr.st_size is not None and not self.closed:
            written = self.progress.written
            self.progress = self.progress.stated_size(attr.st_size)
            if attr.st_size < written:
                self.writefile.flush()
                self.writefile.truncate(attr.st_size)
        return SFTP_OK


def _closed_after_writing(path: Path) -> None:
    """A hard link makes no "closed after writing" event: opening the file to write and closing it
    (writing nothing, so its time stays) tells a watcher at once, as a rename would have."""
    os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC))


def _land(temporary: Path, target: Path) -> Path:
    """Puts the finished upload at `target`. A file to import there already (not yet claimed) is kept:
    the upload lands beside it as `name.1.csv`, `name.2.csv`… — each upload is its own import. A client's
    temporary name (`.filepart`) is the client's to replace."""
    if _temporary_name(target.name):
        temporary.replace(target)
        return target
    for n in range(1000):
        candidate = target.with_name(numbered_name(target.name, n))
        try:
            os.link(temporary, candidate)  # never replaces anything, not even a link
        except FileExistsError:
            continue
        except OSError:  # no hard links on this filesystem: the same rule, with a check a rival may race
            if candidate.exists() or candidate.is_symlink():
                continue
            temporary.rename(candidate)
            return candidate
        try:
            temporary.unlink()
        except FileNotFoundError:  # taken meanwhile (a renamed file the watcher claimed): as if not moved
            candidate.unlink(missing_ok=True)
            raise
        _closed_after_writing(candidate)
        return candidate
    raise OSError(errno.EEXIST, f"{target.name}: too many uploads of this name wait to be imported")


class ReadHandle(paramiko.SFTPHandle):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.readfile = path.open("rb")
        self.path = path

    def stat(self) -> Any:
        return paramiko.SFTPAttributes.from_stat(self.path.stat())


class JailedFilesystem(paramiko.SFTPServerInterface):
    """`server` is the authenticated connection (DropSshServer): it names the account's folder."""

    def __init__(self, server: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        self.jail = Jail(server.account_folder)
        self.max_bytes: int = server.max_upload_bytes
        self.uploads: dict[Path, UploadHandle] = {}  # open in this session, by target: SETSTAT reaches them

    def canonicalize(self, path: str) -> str:
        return self.jail.virtual(path)

    def _resolve(self, path: str, *, follow_last: bool = True) -> Path:
        """The jail's real path — but uploads in progress and the holds of claimed files are the drop
        zone's own, not the client's to read, list, rename or remove."""
        parts = PurePosixPath(self.jail.virtual(path)).parts[1:]
        if (parts and parts[0] == HOLDS) or any(part.startswith(TEMPORARY_PREFIX) for part in parts):
            raise Reserved(errno.EACCES, path)
        return self.jail.resolve(path, follow_last=follow_last)

    def list_folder(self, path: str) -> Any:
        try:
            folder = self._resolve(path)
            found = []
            for name in sorted(entry.name for entry in folder.iterdir()):
                if name.startswith(TEMPORARY_PREFIX) or (folder == self.jail.root and name == HOLDS):
                    continue
                attributes = paramiko.SFTPAttributes.from_stat((folder / name).lstat())
                attributes.filename = name
                found.append(attributes)
            return found
        except OSError as error:
            return _code(error)

    def stat(self, path: str) -> Any:
        try:
            return paramiko.SFTPAttributes.from_stat(self._resolve(path).stat())
        except OSError as error:
            return _code(error)

    def lstat(self, path: str) -> Any:
        try:
            return paramiko.SFTPAttributes.from_stat(self._resolve(path, follow_last=False).lstat())
        except OSError as error:
            return _code(error)

    def open(self, path: str, flags: int, attr: Any) -> Any:
        try:
            if flags & _WRITE:
                return self._upload(path)
            real = self._resolve(path)
            if not real.is_file():
                return SFTP_NO_SUCH_FILE if not real.exists() else SFTP_PERMISSION_DENIED
            return ReadHandle(real)
        except OSError as error:
            return _code(error)

    def _upload(self, path: str) -> Any:
        target = self._resolve(path, follow_last=False)
        if not target.name.lower().endswith(ALLOWED_SUFFIXES + CLIENT_TEMPORARY_SUFFIXES):
            return SFTP_PERMISSION_DENIED
        if target.is_symlink() or target.is_dir() or not target.parent.is_dir():
            return SFTP_PERMISSION_DENIED
        if len(os.fsencode(target.name)) > NAME_MAX:  # as the filesystem would refuse it
            return SFTP_FAILURE
        # Not named after the target: a name may take a folder entry's every byte already.
        temporary = target.parent / f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}"
        handle = UploadHandle(temporary, target, self.max_bytes)
        self.uploads = {t: h for t, h in self.uploads.items() if not h.closed} | {target: handle}
        return handle

    def remove(self, path: str) -> int:
        try:
            real = self._resolve(path, follow_last=False)
            if real.is_dir() and not real.is_symlink():
                return SFTP_PERMISSION_DENIED
            real.unlink()
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def rename(self, oldpath: str, newpath: str) -> int:
        try:
            old = self._resolve(oldpath, follow_last=False)
            new = self._resolve(newpath, follow_last=False)
            if old.is_symlink() or not old.is_file():
                return SFTP_PERMISSION_DENIED if old.exists() else SFTP_NO_SUCH_FILE
            if not new.name.lower().endswith(ALLOWED_SUFFIXES + CLIENT_TEMPORARY_SUFFIXES):
                return SFTP_PERMISSION_DENIED
            if new.is_dir() or new.is_symlink() or not new.parent.is_dir():
                return SFTP_PERMISSION_DENIED
            if new.exists():
                if new.samefile(old):
                    return SFTP_OK  # onto itself: nothing to do, as rename(2) does
                if _temporary_name(new.name):
                    return SFTP_PERMISSION_DENIED  # another upload's `.filepart`, perhaps: not replaced
            # A `.filepart` renamed when done is a finished upload: onto a file waiting to be imported it
            # lands beside it (`name.1.csv`), as a second put of the name does — never over it.
            landed = _land(old, new)
            if landed != new:
                log.info(
                    "%s renamed onto a file waiting to be imported: it lands as %s", old.name, landed.name
                )
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self.rename(oldpath, newpath)

    def mkdir(self, path: str, attr: Any) -> int:
        try:
            self._resolve(path, follow_last=False).mkdir(mode=0o750)
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def rmdir(self, path: str) -> int:
        try:
            real = self._resolve(path, follow_last=False)
            if real == self.jail.root or real.is_symlink():
                return SFTP_PERMISSION_DENIED
            real.rmdir()
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def chattr(self, path: str, attr: Any) -> int:
        try:
            target = self._resolve(path, follow_last=False)
            upload = self.uploads.get(target)
            if upload is not None and not upload.closed:
                return upload.chattr(attr)  # a size stated for a file being uploaded, by its name
            return SFTP_OK  # modes and times are not the client's to set; accepted and ignored
        except OSError as error:
            return _code(error)

    def symlink(self, target_path: str, path: str) -> int:
        return SFTP_PERMISSION_DENIED

    def readlink(self, path: str) -> Any:
        try:
            link = self._resolve(path, follow_last=False)
            if not link.is_symlink():
                return SFTP_FAILURE
            return self.jail.client_path(self._resolve(path))
        except OSError as error:
            return _code(error)


class DropSftpServer(paramiko.SFTPServer):
    """paramiko's SFTP subsystem, except that files still open when the session ends were not completely
    sent: they are discarded, never renamed into place."""

    def finish_subsystem(self) -> None:
        for handle in self.file_table.values():
            if isinstance(handle, UploadHandle):
                handle.cut = True
        # As OpenSSH's sftp-server ending does: scp takes a channel closed without one for a failure.
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):  # the connection is gone
            self.sock.send_exit_status(0)
        super().finish_subsystem()
