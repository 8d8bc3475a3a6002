"""The spreadsheet reader, wired on its own: `prorata simulate` needs nothing else, and the whole
composition root (database, broker, PDF, HTTP clients) would take most of its start-up to import."""

from __future__ import annotations

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits
from prorata.config.settings import Settings
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader


def file_limits(settings: Settings) -> FileLimits:
    return FileLimits(
        max_bytes=settings.max_file_bytes,
        max_rows=settings.max_file_rows,
        max_decoded_bytes=settings.max_decoded_bytes,
    )


def spreadsheet_reader(settings: Settings) -> SpreadsheetReader:
    """Reads CSV, XLSX, XLS and ODS within the settings' limits (workbooks in confined children)."""
    return AnyFormatSpreadsheetReader(file_limits(settings))
