"""Files kept in a local folder, content-addressed by SHA-256 and read-only once written."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1024 * 1024


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, source: Path) -> tuple[str, int]:
        with source.open("rb") as reader:
            return self.put_file(reader)

    def put_file(self, source: BinaryIO) -> tuple[str, int]:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as writer:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    writer.write(chunk)
            sha = digest.hexdigest()
            target = self._path(sha)
            if target.exists():
                return sha, size
            target.parent.mkdir(parents=True, exist_ok=True)
            Path(temporary).chmod(0o444)
            Path(temporary).replace(target)
            return sha, size
        finally:
            if Path(temporary).exists():
                Path(temporary).unlink()

    def local_path(self, sha256: str) -> Path:
        path = self._path(sha256)
        if not path.is_file():
            raise KeyError(sha256)
        return path

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise KeyError(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256
