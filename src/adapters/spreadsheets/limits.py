"""Bounds every reader enforces on untrusted files."""

from __future__ import annotations

from dataclasses import dataclass

from prorata.domain.problems import ErrorCode, InvalidInput, Problem


@dataclass(frozen=True, slots=True)
class FileLimits:
    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 256
    max_cell_chars: int = 1_000
    max_zip_entries: int = 1_000
    max_inflated_bytes: int = 400 * 1024 * 1024
    max_zip_ratio: int = 200
    child_memory_bytes: int = 1024 * 1024 * 1024
    child_seconds: int = 120
    # Everything the parse of one file hands back (every sheet's cells, as text), however many its
    # sheets: a small workbook whose cells repeat one long shared string could otherwise fill the reader.
    max_decoded_bytes: int = 256 * 1024 * 1024


def too_large(file_name: str, why: str) -> InvalidInput:
    return InvalidInput([Problem(ErrorCode.FILE_TOO_LARGE, f"{file_name}: {why}")])


def unsupported(file_name: str, why: str) -> InvalidInput:
    return InvalidInput([Problem(ErrorCode.UNSUPPORTED_FILE, f"{file_name}: {why}")])
