"""`prorata simulate REQUEST.json [--readings FILE] [--mapping MAPPING.json] [--format json|text]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from prorata.application.collector import collector_paused
from prorata.application.contract_result import errors_json, result_json_bytes
from prorata.application.json_text import read_json
from prorata.application.simulate import ReadingsFile, simulate
from prorata.config.readers import spreadsheet_reader
from prorata.config.settings import Settings
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.settlement.result import SettlementResult
from prorata.entrypoints.cli.text_report import problems_text, settlement_text

# The contract's exit code for invalid input.
INVALID_INPUT = 2


@click.command("simulate")
@click.argument("request", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--readings",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Meter readings: a CSV, XLSX, XLS or ODS file of any layout (columns found by their headers).",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSON naming the readings file\'s column for a field: {"unit": "Ref. Piso", "current": "L.Act"}.',
)
@click.option("--format", "output", type=click.Choice(["json", "text"]), default="text", show_default=True)
def simulate_command(request: Path, readings: Path | None, mapping: Path | None, output: str) -> None:
    """Prorate a settlement request (contract v1) and print every receipt."""
    try:
        data = _load_json(request, "request")
        readings_file = None
        if readings is not None:
            mapping_data = _load_json(mapping, "mapping") if mapping is not None else None
            readings_file = ReadingsFile(readings, mapping_data)
        result = _simulate(data, spreadsheet_reader(Settings.from_environment()), readings_file)
    except InvalidInput as error:
        if output == "json":
            click.echo(json.dumps(errors_json(error.problems), ensure_ascii=False, indent=2))
        else:
            click.echo(problems_text(error.problems), err=True)
        sys.exit(INVALID_INPUT)
    if output == "json":
        # Written piece by piece: 50,000 receipts make 49 MB of text, never held whole.
        out = sys.stdout.buffer
        with collector_paused():
            for piece in result_json_bytes(result, indent=True):
                out.write(piece)
        out.write(b"\n")
        out.flush()
    else:
        click.echo(settlement_text(result))


def _simulate(data: Any, reader: SpreadsheetReader, readings: ReadingsFile | None) -> SettlementResult:
    try:
        return simulate(data, reader, readings)
    except OSError as error:
        if readings is None:
            raise
        # The readings file is the only file read there: one that cannot be opened is the user's to fix.
        why = f"{readings.path.name}: cannot be read ({error.strerror or error})"
        raise InvalidInput([Problem(ErrorCode.UNSUPPORTED_FILE, why)]) from None


def _load_json(path: Path, what: str) -> Any:
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        return read_json(raw, f"{what} {path}")
    except (OSError, UnicodeDecodeError) as error:
        raise _invalid(f"{what} {path}: cannot be read: {error}", what) from None
    except json.JSONDecodeError as error:
        raise _invalid(
            f"{what} {path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})", what
        ) from None


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput([Problem(ErrorCode.INVALID_REQUEST, message, field=field)])
