"""The SFTP operations on a jailed account folder. Uploads go to a temporary name and become the real
file only when the client closes it; a session that ends with the file still open leaves nothing."""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path
from typing import Any

import paramiko
from paramiko.sftp import SFTP_FAILURE, SFTP_NO_SUCH_FILE, SFTP_OK, SFTP_PERMISSION_DENIED

from prorata.domain.dropzone.model import ALLOWED_SUFFIXES, TEMPORARY_PREFIX
from prorata.entrypoints.sftp.jail import Escape, Jail

# Names clients upload to before renaming (WinSCP's .filepart, and the like).
CLIENT_TEMPORARY_SUFFIXES = (".filepart", ".part", ".tmp")
_WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _code(error: OSError) -> int:
    if isinstance(error, Escape) or error.errno in (errno.EACCES, errno.EPERM):
        return SFTP_PERMISSION_DENIED
    if error.errno == errno.ENOENT:
        return SFTP_NO_SUCH_FILE
    return SFTP_FAILURE


class UploadHandle(paramiko.SFTPHandle):
    """Writes to a temporary file beside the target; renamed on a complete close, removed otherwise."""

    def __init__(self, temporary: Path, target: Path, max_bytes: int) -> None:
        super().__init__()
        self.temporary = temporary
        self.target = target
        self.max_bytes = max_bytes
        self.aborted = False
        self.writefile = temporary.open("wb")

    def write(self, offset: int, data: bytes) -> int:
        if offset + len(data) > self.max_bytes:
            self.aborted = True
            return SFTP_PERMISSION_DENIED
        result: int = super().write(offset, data)
        return result

    def close(self) -> None:
        super().close()
        if self.aborted:
            self.temporary.unlink(missing_ok=True)
        else:
            self.temporary.replace(self.target)

    def stat(self) -> Any:
        return paramiko.SFTPAttributes.from_stat(self.temporary.stat())

    def chattr(self, attr: Any) -> int:
        return SFTP_OK


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

    def canonicalize(self, path: str) -> str:
        return self.jail.virtual(path)

    def list_folder(self, path: str) -> Any:
        try:
            folder = self.jail.resolve(path)
            found = []
            for name in sorted(entry.name for entry in folder.iterdir()):
                if name.startswith(TEMPORARY_PREFIX):
                    continue
                attributes = paramiko.SFTPAttributes.from_stat((folder / name).lstat())
                attributes.filename = name
                found.append(attributes)
            return found
        except OSError as error:
            return _code(error)

    def stat(self, path: str) -> Any:
        try:
            return paramiko.SFTPAttributes.from_stat(self.jail.resolve(path).stat())
        except OSError as error:
            return _code(error)

    def lstat(self, path: str) -> Any:
        try:
            return paramiko.SFTPAttributes.from_stat(self.jail.resolve(path, follow_last=False).lstat())
        except OSError as error:
            return _code(error)

    def open(self, path: str, flags: int, attr: Any) -> Any:
        try:
            if flags & _WRITE:
                return self._upload(path)
            real = self.jail.resolve(path)
            if not real.is_file():
                return SFTP_NO_SUCH_FILE if not real.exists() else SFTP_PERMISSION_DENIED
            return ReadHandle(real)
        except OSError as error:
            return _code(error)

    def _upload(self, path: str) -> Any:
        target = self.jail.resolve(path, follow_last=False)
        if not target.name.lower().endswith(ALLOWED_SUFFIXES + CLIENT_TEMPORARY_SUFFIXES):
            return SFTP_PERMISSION_DENIED
        if target.is_symlink() or target.is_dir() or not target.parent.is_dir():
            return SFTP_PERMISSION_DENIED
        temporary = target.parent / f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}-{target.name}"
        return UploadHandle(temporary, target, self.max_bytes)

    def remove(self, path: str) -> int:
        try:
            real = self.jail.resolve(path, follow_last=False)
            if real.is_dir() and not real.is_symlink():
                return SFTP_PERMISSION_DENIED
            real.unlink()
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def rename(self, oldpath: str, newpath: str) -> int:
        try:
            old = self.jail.resolve(oldpath, follow_last=False)
            new = self.jail.resolve(newpath, follow_last=False)
            if old.is_symlink() or not old.is_file() or new.exists():
                return SFTP_PERMISSION_DENIED if old.exists() else SFTP_NO_SUCH_FILE
            if not new.name.lower().endswith(ALLOWED_SUFFIXES + CLIENT_TEMPORARY_SUFFIXES):
                return SFTP_PERMISSION_DENIED
            old.rename(new)
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self.rename(oldpath, newpath)

    def mkdir(self, path: str, attr: Any) -> int:
        try:
            self.jail.resolve(path, follow_last=False).mkdir(mode=0o750)
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def rmdir(self, path: str) -> int:
        try:
            real = self.jail.resolve(path, follow_last=False)
            if real == self.jail.root or real.is_symlink():
                return SFTP_PERMISSION_DENIED
            real.rmdir()
            return SFTP_OK
        except OSError as error:
            return _code(error)

    def chattr(self, path: str, attr: Any) -> int:
        try:
            self.jail.resolve(path)
            return SFTP_OK  # modes and times are not the client's to set; accepted and ignored
        except OSError as error:
            return _code(error)

    def symlink(self, target_path: str, path: str) -> int:
        return SFTP_PERMISSION_DENIED

    def readlink(self, path: str) -> Any:
        try:
            link = self.jail.resolve(path, follow_last=False)
            if not link.is_symlink():
                return SFTP_FAILURE
            return self.jail.client_path(self.jail.resolve(path))
        except OSError as error:
            return _code(error)


class DropSftpServer(paramiko.SFTPServer):
    """paramiko's SFTP subsystem, except that files still open when the session ends were not completely
    sent: they are discarded, never renamed into place."""

    def finish_subsystem(self) -> None:
        for handle in self.file_table.values():
            if isinstance(handle, UploadHandle):
                handle.aborted = True
        super().finish_subsystem()
