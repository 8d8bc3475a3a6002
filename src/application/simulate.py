"""Use case: simulate a settlement from a contract request, optionally with readings from a file."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from prorata.application.collector import collector_paused
from prorata.application.contract_request import parse_request
from prorata.application.json_fields import FieldReader
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.extract import extract_readings, holds_readings, readings_sheet
from prorata.domain.readings.headers import READING_FIELDS, Field
from prorata.domain.readings.merge import merge_readings
from prorata.domain.readings.sheet import Workbook
from prorata.domain.settlement.engine import prorate
from prorata.domain.settlement.request import SettlementRequest
from prorata.domain.settlement.result import SettlementResult


@dataclass(frozen=True, slots=True)
class ReadingsFile:
    path: Path
    mapping: object | None = None


def simulate(
    request: object, reader: SpreadsheetReader, readings: ReadingsFile | None = None
) -> SettlementResult:
    """Prorate the contract `request` (parsed JSON), with the readings of `readings` merged into its
    units. Raises InvalidInput with every problem found across the request, the mapping and the file."""
    with collector_paused():
        return _simulate(request, reader, readings)


def _simulate(request: object, reader: SpreadsheetReader, readings: ReadingsFile | None) -> SettlementResult:
    if readings is None:
        return prorate(parse_request(request))
    problems: list[Problem] = []
    mapping = None
    if readings.mapping is not None:
        try:
            mapping = parse_mapping(readings.mapping)
        except InvalidInput as error:
            problems.extend(error.problems)
    parsed: SettlementRequest | None = None
    # The file is read (in child processes, for workbooks; up to its readings sheet) while the request is
    # parsed here.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prorata-read") as pool:
        workbook = None if problems else pool.submit(reader.read, readings.path, holds_readings(mapping))
        try:
            parsed = parse_request(request)
        except InvalidInput as error:
            problems.extend(error.problems)
        if workbook is not None:
            try:
                parsed = _with_file_readings(parsed, mapping, workbook)
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


def parse_mapping(data: object) -> dict[Field, str]:
    """A mapping (`{"unit": "Ref. Piso", "current": "L.Act"}`) from field to the header naming it."""
    problems: list[Problem] = []
    reader = FieldReader(data, "mapping", problems)
    names = [f.value for f in READING_FIELDS]
    reader.only(names)
    mapping = {Field(name): header for name in names if (header := reader.text(name)) is not None}
    if problems:
        raise InvalidInput(problems)
    return mapping
