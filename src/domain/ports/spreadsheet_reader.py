"""Port: reading an uploaded file into sheets of cells."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Protocol

from prorata.domain.readings.sheet import Workbook


class SpreadsheetReader(Protocol):
    @abstractmethod
    def read(self, path: Path) -> Workbook:
        """The file's sheets. Raises InvalidInput with `unsupported_file` for a file it cannot read and
        `file_too_large` past its limits; it never lets a crafted file crash or exhaust the process."""
