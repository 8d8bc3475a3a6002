"""Port: settlements, and their headings read without the terms and readings they were computed from."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from prorata.domain.ports.repository import Repository
from prorata.domain.settlement.heading import SettlementHeading
from prorata.domain.settlement.stored import Settlement


class SettlementRepository(Repository[Settlement], Protocol):
    @abstractmethod
    def headings(self, tenant: str | None, ids: list[str]) -> list[SettlementHeading]:
        """The headings of the settlements of these ids that exist (in no particular order)."""
