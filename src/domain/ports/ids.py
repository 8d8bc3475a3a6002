"""Port: new identifiers for records."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class IdGenerator(Protocol):
    @abstractmethod
    def new(self) -> str:
        """A new unique id; later ids sort after earlier ones, so lists come oldest first."""
