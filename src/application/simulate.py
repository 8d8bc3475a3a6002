"""Use case: simulate a settlement from a contract request, optionally with readings from a file."""

from __future__ import annotations

from concurrent.futures import Future

from prorata.application.collector import collector_paused
from prorata.application.contract_request import parse_request
from prorata.application.readings_file import FileReading, ReadingsFile, parse_mapping
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.extract import extract_readings, readings_sheet
from prorata.domain.readings.headers import Field
from prorata.domain.readings.merge import merge_readings
from prorata.domain.readings.sheet import Workbook
from prorata.domain.settlement.engine import prorate
from prorata.domain.settlement.request import SettlementRequest
from prorata.domain.settlement.result import SettlementResult

__all__ = ["ReadingsFile", "parse_mapping", "simulate", "simulate_reading"]


def simulate(
    request: object, reader: SpreadsheetReader, readings: ReadingsFile | None = None
) -> SettlementResult:
    """Prorate the contract `request` (parsed JSON), with the readings of `readings` merged into its
    units. Raises InvalidInput with every problem found across the request, the mapping and the file."""
    with collector_paused():
        if readings is None:
            return prorate(parse_request(request))
        # The file is read (in child processes, for workbooks; up to its readings sheet) while the
        # request is parsed here.
        with FileReading(reader, readings) as reading:
            return _simulate(request, reading)


def simulate_reading(request: object, reading: FileReading) -> SettlementResult:
    """`simulate`, with its readings file being read already (since before the request was parsed)."""
    with collector_paused():
        return _simulate(request, reading)


def _simulate(request: object, reading: FileReading) -> SettlementResult:
    problems = list(reading.problems)
    parsed: SettlementRequest | None = None
    try:
        parsed = parse_request(request)
    except InvalidInput as error:
        problems.extend(error.problems)
    if reading.workbook is not None:
        try:
            parsed = _with_file_readings(parsed, reading.mapping, reading.workbook)
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems or parsed is None:
        raise InvalidInput(problems)
    return prorate(parsed)


def _with_file_readings(
    request: SettlementRequest | None, mapping: dict[Field, str] | None, read: Future[Workbook]
) -> SettlementRequest | None:
    workbook = read.result()
    if not workbook.sheets:
        raise InvalidInput(
            [Problem(ErrorCode.UNSUPPORTED_FILE, f"{workbook.file_name}: the workbook has no sheet")]
        )
    found = extract_readings(readings_sheet(workbook.sheets, mapping), mapping, workbook.decimal_hint)
    problems = list(found.problems)
    merged = None
    if request is not None:
        try:
            merged = merge_readings(request, found.readings)
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(sorted(problems, key=lambda p: p.row or 0))
    return merged
