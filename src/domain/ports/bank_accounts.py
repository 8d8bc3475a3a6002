"""Port: what can be told of a bank account from its IBAN (beyond the ISO 13616 check digits)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class BankAccounts(Protocol):
    @abstractmethod
    def iban_problem(self, iban: str) -> str | None:
        """Why the IBAN cannot be debited or credited (a wrong check digit, a wrong national control
        digit, an unknown country format), or None when it can."""

    @abstractmethod
    def bic_problem(self, bic: str) -> str | None:
        """Why the text is not a BIC (ISO 9362), or None."""

    @abstractmethod
    def bic_of(self, iban: str) -> str | None:
        """The BIC of the IBAN's bank when it is known, else None."""
