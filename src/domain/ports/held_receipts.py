"""Port: receipts as a resident reaches them — those of the units she held, for the periods she held them."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from prorata.domain.community.model import Occupancy
from prorata.domain.ports.repository import Page
from prorata.domain.settlement.stored import IssuedReceipt


class HeldReceipts(Protocol):
    @abstractmethod
    def list(
        self,
        tenant: str | None,
        held: Sequence[Occupancy],
        *,
        offset: int = 0,
        limit: int | None = None,
        **where: object,
    ) -> Page[IssuedReceipt]:
        """The receipts matching `where` (as `Repository.list` reads it) of a unit of `held` whose
        settlement's period overlaps that occupancy (`Occupancy.overlaps`): never a previous or later
        holder's. Oldest first."""
