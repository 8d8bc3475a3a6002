"""Port: new identifiers for records."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class IdGenerator(Protocol):
    @abstractmethod
    def new(self) -> str:
        """A new unique id; later ids sort after earlier ones, so lists come oldest first."""

    @abstractmethod
    def many(self, count: int) -> list[str]:
        """`count` new ids at once, as `count` calls of `new` would make them, in that order."""
