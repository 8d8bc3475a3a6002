"""Port: every received file kept, immutable, addressed by its SHA-256."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import BinaryIO, Protocol


class BlobStore(Protocol):
    @abstractmethod
    def put(self, source: Path) -> tuple[str, int]:
        """Keep a copy of the file; returns its SHA-256 (hex) and size. Keeping the same bytes twice
        stores them once."""

    @abstractmethod
    def put_file(self, source: BinaryIO) -> tuple[str, int]:
        """Like `put`, from a file already open for reading (from where it stands to its end): what is kept
        is what that descriptor reads, whatever its path names by now."""

    @abstractmethod
    def local_path(self, sha256: str) -> Path:
        """A local path holding the file's bytes (a download, for a remote store). Raises KeyError."""
