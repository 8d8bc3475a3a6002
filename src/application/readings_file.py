"""A readings file for `simulate`, being read while the rest goes on: its mapping checked at once, then the
file read in a thread (a workbook in child processes, up to its readings sheet). This module imports
little, so that a command can start the reading before it imports the engine and parses the request."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from prorata.application.json_fields import FieldReader
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.problems import InvalidInput, Problem
from prorata.domain.readings.extract import holds_readings
from prorata.domain.readings.headers import READING_FIELDS, Field
from prorata.domain.readings.sheet import Workbook


@dataclass(frozen=True, slots=True)
class ReadingsFile:
    path: Path
    mapping: object | None = None


class FileReading:
    """The file of `readings` being read by `reader`, unless its mapping has `problems`. Leaving it (as a
    context manager) waits for the reading to end."""

    def __init__(self, reader: SpreadsheetReader, readings: ReadingsFile) -> None:
        self.readings = readings
        self.problems: list[Problem] = []
        self.mapping: dict[Field, str] | None = None
        if readings.mapping is not None:
            try:
                self.mapping = parse_mapping(readings.mapping)
            except InvalidInput as error:
                self.problems.extend(error.problems)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prorata-read")
        self.workbook: Future[Workbook] | None = None
        if not self.problems:
            self.workbook = self._pool.submit(reader.read, readings.path, holds_readings(self.mapping))

    def __enter__(self) -> FileReading:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._pool.shutdown(wait=True)


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
