"""`prorata simulate REQUEST.json [--readings FILE] [--mapping MAPPING.json] [--format json|text]`.

The command starts reading the readings file (a workbook in child processes) with what this module
imports, and only then imports the engine and parses the request: the two go on side by side."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from prorata.application.collector import collector_paused
from prorata.application.json_text import read_json
from prorata.application.readings_file import FileReading, ReadingsFile
from prorata.config.readers import spreadsheet_reader
from prorata.config.settings import InvalidSetting, Settings
from prorata.domain.problems import ErrorCode, InvalidInput, Problem

if TYPE_CHECKING:
    from prorata.domain.settlement.result import SettlementResult

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
        with collector_paused():
            result = _simulated(request, readings, mapping)
    except InvalidInput as error:
        _refused(error, output)
        sys.exit(INVALID_INPUT)
    if output == "json":
        from prorata.application.contract_result import result_json_bytes

        # Written piece by piece: 50,000 receipts make 49 MB of text, never held whole.
        out = sys.stdout.buffer
        with collector_paused():
            for piece in result_json_bytes(result, indent=True):
                out.write(piece)
        out.write(b"\n")
        out.flush()
    else:
        from prorata.entrypoints.cli.text_report import settlement_text

        click.echo(settlement_text(result))


def _simulated(request: Path, readings: Path | None, mapping: Path | None) -> SettlementResult:
    """The settlement, its readings file read while the request is parsed. The errors come in the order
    they always did: the request's JSON, then the mapping's, then every problem of their contents."""
    raw = _bytes(request, "request")
    mapping_data, mapping_error = None, None
    if readings is not None and mapping is not None:
        try:
            mapping_data = _json(_bytes(mapping, "mapping"), mapping, "mapping")
        except InvalidInput as error:
            mapping_error = error
    reading = _started(readings, mapping_data) if readings is not None and mapping_error is None else None
    with reading or nullcontext():
        data = _json(raw, request, "request")
        if mapping_error is not None:
            raise mapping_error
        return _simulate(data, readings, reading)


def _started(readings: Path, mapping: object | None) -> FileReading | None:
    try:
        reader = spreadsheet_reader(Settings.from_environment())
    except InvalidSetting:
        return None  # said where it always was, once the request is read
    return FileReading(reader, ReadingsFile(readings, mapping))


def _simulate(data: Any, readings: Path | None, reading: FileReading | None) -> SettlementResult:
    # Imported once the file is being read: the engine, the contract's reader and what they import.
    from prorata.application.simulate import simulate, simulate_reading

    try:
        if reading is not None:
            return simulate_reading(data, reading)
        reader = spreadsheet_reader(Settings.from_environment())
        return simulate(data, reader, None if readings is None else ReadingsFile(readings))
    except OSError as error:
        if readings is None:
            raise
        # The readings file is the only file read there: one that cannot be opened is the user's to fix.
        why = f"{readings.name}: cannot be read ({error.strerror or error})"
        raise InvalidInput([Problem(ErrorCode.UNSUPPORTED_FILE, why)]) from None


def _refused(error: InvalidInput, output: str) -> None:
    if output == "json":
        from prorata.application.contract_result import errors_json

        click.echo(json.dumps(errors_json(error.problems), ensure_ascii=False, indent=2))
    else:
        from prorata.entrypoints.cli.text_report import problems_text

        click.echo(problems_text(error.problems), err=True)


def _bytes(path: Path, what: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as error:
        raise _invalid(f"{what} {path}: cannot be read: {error}", what) from None


def _json(raw: bytes, path: Path, what: str) -> Any:
    try:
        return read_json(raw, f"{what} {path}")
    except UnicodeDecodeError as error:
        raise _invalid(f"{what} {path}: cannot be read: {error}", what) from None
    except json.JSONDecodeError as error:
        raise _invalid(
            f"{what} {path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})", what
        ) from None


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput([Problem(ErrorCode.INVALID_REQUEST, message, field=field)])
