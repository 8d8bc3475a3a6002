"""Port: the workbook a manager gets back to fix an import's file (`GET /v1/imports/{id}/errors.xlsx`)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from prorata.domain.problems import Problem


class ErrorWorkbooks(Protocol):
    @abstractmethod
    def workbook(
        self, source: Path, sha256: str, original_name: str, problems: Sequence[Problem]
    ) -> BinaryIO:
        """The XLSX of the file at `source` (whose SHA-256 is `sha256`), open for reading (the caller
        closes it): every sheet as received, each row followed by its errors, and a summary of
        `problems`. Built once for these inputs and kept, so a second download costs no second build.

        Never lets a crafted file crash or exhaust the caller: the workbook is built within memory, CPU,
        time and size limits; when it cannot be, raises InvalidInput (`file_too_large`,
        `unsupported_file`) naming the file by `original_name`."""
