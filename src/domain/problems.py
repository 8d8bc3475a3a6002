"""Errors as the settlement contract reports them: a stable code, a message and where it applies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_REQUEST = "invalid_request"
    NEGATIVE_CONSUMPTION = "negative_consumption"
    DUPLICATE_READING = "duplicate_reading"
    MISSING_READING = "missing_reading"
    ESTIMATION_CAP_EXCEEDED = "estimation_cap_exceeded"
    ZERO_TOTAL_WEIGHT = "zero_total_weight"
    UNKNOWN_UNIT = "unknown_unit"
    INVALID_NUMBER = "invalid_number"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    MISSING_COLUMN = "missing_column"
    UNSUPPORTED_FILE = "unsupported_file"
    FILE_TOO_LARGE = "file_too_large"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input; `row` is the row number a spreadsheet program shows."""

    code: ErrorCode
    message: str
    unit: str | None = None
    meter: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None


class InvalidInput(Exception):
    """Raised with every problem found in an input, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @property
    def codes(self) -> set[ErrorCode]:
        return {p.code for p in self.problems}
