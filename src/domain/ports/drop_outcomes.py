"""Port: the outcome of a dropped file, left where the legacy system that sent it fetches it back."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from prorata.domain.problems import Problem


class DropOutcomes(Protocol):
    @abstractmethod
    def write(
        self,
        username: str,
        relative: str,
        folder: str,
        result: dict[str, object],
        problems: Sequence[Problem],
    ) -> None:
        """Move the account's file at `relative` into `folder` (processed/ or failed/) with
        `<name>.result.json` beside it, and `<name>.errors.csv` when there are problems; the result's
        `file` is the name it took there (`lecturas.1.csv` when `lecturas.csv` was taken). Written again
        for a file already moved, it rewrites the same result files."""
