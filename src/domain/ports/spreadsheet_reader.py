"""Port: reading an uploaded file into sheets of cells."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from prorata.domain.readings.sheet import Sheet, Workbook


class SpreadsheetReader(Protocol):
    @abstractmethod
    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        """The file's sheets. With `enough`, reading may stop at the first sheet it holds for (judged by
        the sheet's first rows), giving that sheet and the ones before it.

        Raises InvalidInput with `unsupported_file` for a file it cannot read and `file_too_large` past
        its limits; it never lets a crafted file crash or exhaust the process."""

    @abstractmethod
    def refuse_unreadable(self, path: Path, name: str) -> None:
        """Raise InvalidInput with `unsupported_file` at once when the file's first bytes show it cannot be
        a spreadsheet or a delimited text file at all (a PDF, an image, binary data), whatever its name."""
