"""Port: a bank's status report or notification file, read into what it says about collections."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from prorata.domain.collection.bank_report import BankReport


class BankFileReader(Protocol):
    @abstractmethod
    def read(self, content: bytes) -> BankReport:
        """The outcomes the file reports (a pain.002 or camt.054 in a version read). Raises
        UnreadableBankFile, saying why, for anything else: not XML, truncated, a DTD or entity
        declarations (refused before any is read), another namespace or message."""
