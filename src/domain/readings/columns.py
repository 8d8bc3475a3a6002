"""Locating the header row and the column of each field, by synonyms or by a mapping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.headers import Field, field_for, normalize
from prorata.domain.readings.sheet import Sheet

# How far below a title block the header row may sit.
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True, slots=True)
class Columns:
    """The header row (index into the sheet's rows) and each found field's column index and header."""

    header_index: int
    index: Mapping[Field, int]
    headers: tuple[str, ...]

    def header(self, field: Field) -> str:
        return self.headers[self.index[field]]


def locate_header(sheet: Sheet, accept: Callable[[Mapping[Field, int]], bool]) -> Columns | None:
    """The first header row, within the first rows, whose recognised fields `accept` takes."""
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        headers = tuple("" if cell is None else str(cell).strip() for cell in row)
        found = _by_synonyms(headers)
        if accept(found):
            return Columns(index, found, headers)
    return None


def has_readings(found: Mapping[Field, int]) -> bool:
    return Field.UNIT in found and (
        Field.CONSUMPTION in found or {Field.PREVIOUS, Field.CURRENT} <= found.keys()
    )


def has_current_readings(found: Mapping[Field, int]) -> bool:
    """A readings sheet of an import, where a current reading alone will do: the meter's history has
    what it counts from."""
    return Field.UNIT in found and bool({Field.CONSUMPTION, Field.CURRENT} & found.keys())


def locate_columns(
    sheet: Sheet, mapping: Mapping[Field, str] | None = None, current_only: bool = False
) -> Columns:
    """The columns of a readings sheet. A `mapping` names fields' headers; the fields it leaves out are
    recognised by synonyms. Raises InvalidInput with a `missing_column` problem per missing field (with
    `current_only`, a previous column is not needed)."""
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        headers = tuple("" if cell is None else str(cell).strip() for cell in row)
        found = _by_mapping(headers, mapping) if mapping else {}
        for field, column in _by_synonyms(headers).items():
            if field not in found and column not in found.values():
                found[field] = column
        if Field.UNIT in found and len(found) >= 2:
            _require_values(found, headers, mapping, index, current_only)
            return Columns(index, found, headers)
    wanted = f'"{mapping[Field.UNIT]}"' if mapping and Field.UNIT in mapping else "a unit column"
    raise InvalidInput(
        [
            Problem(
                ErrorCode.MISSING_COLUMN,
                f"sheet {sheet.name!r}: no header row with {wanted} and a reading column "
                f"in its first {HEADER_SEARCH_ROWS} rows",
                column=mapping.get(Field.UNIT) if mapping else Field.UNIT.value,
            )
        ]
    )


def _by_synonyms(headers: tuple[str, ...]) -> dict[Field, int]:
    found: dict[Field, int] = {}
    for column, header in enumerate(headers):
        field = field_for(header) if header else None
        if field is not None:
            found.setdefault(field, column)
    return found


def _by_mapping(headers: tuple[str, ...], mapping: Mapping[Field, str]) -> dict[Field, int]:
    names = [normalize(h) for h in headers]
    found: dict[Field, int] = {}
    for field, header in mapping.items():
        wanted = normalize(header)
        if wanted in names:
            found[field] = names.index(wanted)
    return found


def _require_values(
    found: Mapping[Field, int],
    headers: tuple[str, ...],
    mapping: Mapping[Field, str] | None,
    index: int,
    current_only: bool = False,
) -> None:
    missing: list[Field] = []
    if mapping:
        missing = [field for field in mapping if field not in found]
    if Field.CONSUMPTION not in found:
        needed = (Field.CURRENT,) if current_only else (Field.PREVIOUS, Field.CURRENT)
        missing += [f for f in needed if f not in found and f not in missing]
    if missing:
        shown = ", ".join(repr(h) for h in headers if h)
        raise InvalidInput(
            Problem(
                ErrorCode.MISSING_COLUMN,
                f"row {index + 1}: no column for {field.value}"
                + (f" (mapped to {mapping[field]!r})" if mapping and field in mapping else "")
                + f"; the headers are {shown}",
                row=index + 1,
                column=mapping[field] if mapping and field in mapping else field.value,
            )
            for field in missing
        )
