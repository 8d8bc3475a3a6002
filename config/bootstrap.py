"""The composition root: the one place that picks adapters for the core's ports."""

from __future__ import annotations

from dataclasses import dataclass

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits
from prorata.config.settings import Settings
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader


@dataclass(frozen=True, slots=True)
class Components:
    settings: Settings
    spreadsheet_reader: SpreadsheetReader


def bootstrap(settings: Settings | None = None) -> Components:
    settings = settings or Settings.from_environment()
    limits = FileLimits(max_bytes=settings.max_file_bytes, max_rows=settings.max_file_rows)
    return Components(settings=settings, spreadsheet_reader=AnyFormatSpreadsheetReader(limits))
