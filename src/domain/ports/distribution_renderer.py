"""Port: a settlement's distribution sheet as a file to hand to the manager and the community's board."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from prorata.domain.community.model import Language
from prorata.domain.settlement.distribution import Distribution


class DistributionRenderer(Protocol):
    """One file format of the sheet: `media_type` and `extension` say which."""

    media_type: str
    extension: str

    @abstractmethod
    def render(self, sheet: Distribution, language: Language) -> bytes:
        """The whole file: every unit's row, the pools with their rates, the totals and the check, its
        headers in `language`. Every text it holds is shown as text, never run (a unit code or a concept
        is the manager's input)."""
