"""What a received workbook says, community by community: units (keys, owners, IBANs), readings, costs
and amounts already computed per unit. Every sheet is recognised by its header row, wherever it sits."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from prorata.domain.imports.contents import CommunityFile, CostRow, FileContents, UnitRow
from prorata.domain.imports.creditor_columns import CREDITOR_COLUMNS, CreditorCell
from prorata.domain.imports.vocabulary import key_named, service_named
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.columns import (
    HEADER_SEARCH_ROWS,
    Columns,
    has_current_readings,
    locate_columns,
    locate_header,
)
from prorata.domain.readings.extract import CurrentReading, UnitReading, extract_readings
from prorata.domain.readings.headers import Field, normalize
from prorata.domain.readings.number_columns import KINDS, ColumnNumbers, NumberError, column_numbers
from prorata.domain.readings.sheet import Cell, Sheet, Workbook, is_blank
from prorata.domain.settlement.request import unit_key

# Columns that describe a unit rather than read its meter; columns that describe its community.
_DETAILS = {Field.COEFFICIENT, Field.AREA, Field.OWNER, Field.IBAN, Field.TAX_ID}
_COMMUNITY_DETAILS = {Field.COMMUNITY_NAME, *CREDITOR_COLUMNS}


def _is_costs(found: Mapping[Field, int]) -> bool:
    return Field.CONCEPT in found and Field.AMOUNT in found


def _is_units(found: Mapping[Field, int]) -> bool:
    return Field.UNIT in found and bool(
        {Field.COEFFICIENT, Field.AREA, Field.OWNER, Field.IBAN, Field.TAX_ID, Field.AMOUNT} & found.keys()
    )


def _is_communities(found: Mapping[Field, int]) -> bool:
    """A sheet of communities' details (their code, name, account, creditor identifier)."""
    return bool(CREDITOR_COLUMNS.keys() & found.keys())


def interpret(
    workbook: Workbook, community_code: str | None = None, mapping: Mapping[Field, str] | None = None
) -> FileContents:
    """The file's contents by community. Rows without a community column go to `community_code`; when
    there is neither, that is a `missing_column` problem."""
    contents = FileContents()
    mapped = header_row_of(workbook, mapping) if mapping else None
    for sheet in workbook.sheets:
        readings = locate_header(sheet, has_current_readings) if mapping is None else None
        if mapping is not None and mapped is not None and sheet is mapped[0]:
            # The mapped sheet's columns — the mapping's, then synonyms for the rest (a community column…).
            try:
                readings = locate_columns(sheet, mapping, current_only=True)
            except InvalidInput as error:
                contents.problems.extend(error.problems)
                continue
        if readings is not None or (mapped is not None and sheet is mapped[0]):
            _Sheet(sheet, readings, contents, community_code, workbook.decimal_hint).readings(mapping)
        elif (costs := locate_header(sheet, _is_costs)) is not None:
            _Sheet(sheet, costs, contents, community_code, workbook.decimal_hint).costs()
        elif (units := locate_header(sheet, _is_units)) is not None:
            _Sheet(sheet, units, contents, community_code, workbook.decimal_hint).units()
        elif (communities := locate_header(sheet, _is_communities)) is not None:
            _Sheet(sheet, communities, contents, community_code, workbook.decimal_hint).communities()
    return contents


def header_row_of(workbook: Workbook, mapping: Mapping[Field, str]) -> tuple[Sheet, int] | None:
    """The sheet and row holding every header a mapping names, if any."""
    wanted = {normalize(h) for h in mapping.values()}
    for sheet in workbook.sheets:
        for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            if wanted <= {normalize(str(c)) for c in row if c is not None}:
                return sheet, index
    return None


class _Sheet:
    def __init__(
        self,
        sheet: Sheet,
        columns: Columns | None,
        contents: FileContents,
        default: str | None,
        hint: str | None,
    ) -> None:
        self.sheet = sheet
        self.columns = columns
        self.index: Mapping[Field, int] = {} if columns is None else columns.index
        self.contents = contents
        self.default = default
        self.hint = hint
        self.numbers: dict[Field, ColumnNumbers] = {}  # decided column by column, as readings are

    def readings(self, mapping: Mapping[Field, str] | None) -> None:
        try:
            found = extract_readings(self.sheet, mapping, self.hint, current_only=True)
        except InvalidInput as error:
            self.contents.problems.extend(error.problems)
            return
        self.numbers = found.numbers
        columns = self.columns
        with_details = columns is not None and bool(_DETAILS & columns.index.keys())
        with_community = columns is not None and bool(_COMMUNITY_DETAILS & columns.index.keys())
        self.contents.problems.extend(found.problems)
        rejected = {(self.sheet.name, p.row or 0) for p in found.problems}
        self.contents.rejected |= rejected
        self.contents.rows_total += len(found.readings) + len(found.current_only) + len(rejected)
        with_service = Field.SERVICE in self.index
        rows: list[tuple[int, UnitReading | CurrentReading]] = []
        rows += ((r.reading.row or 0, r) for r in found.readings)
        rows += ((r.row, r) for r in found.current_only)
        sheet_rows = self.sheet.rows
        for row, item in rows:
            cells = sheet_rows[row - 1]
            code = self._community_in(cells, row)
            if code is None:
                continue
            service = None
            if with_service and (text := self._text(cells, Field.SERVICE)):
                service = service_named(text)
                if service is None:
                    self._problem(row, Field.SERVICE, ErrorCode.INVALID_REQUEST, f"{text!r} is not a service")
                    continue
            community = self.contents.community(code)
            if isinstance(item, CurrentReading):
                community.current_only.append(item)
            else:
                community.readings.append(item)
            if service is not None:
                community.reading_services[row] = service
            if with_community:
                self._community_details(community, row, cells)
            if with_details:
                self._unit_details(community, item.unit, row, cells)

    def costs(self) -> None:
        for number, cells in self._numeric_body():
            code = self._community_of(number)
            if code is not None:
                self._community_details(self.contents.community(code), number)
            concept, amount = self._text(cells, Field.CONCEPT), self._number(cells, Field.AMOUNT, number)
            if code is None or concept is None or amount is None:
                if concept is None and amount is not None:
                    self._problem(number, Field.CONCEPT, ErrorCode.INVALID_REQUEST, "a cost needs a concept")
                continue
            service_text = self._text(cells, Field.SERVICE)
            service = service_named(service_text) if service_text else None
            if service_text and service is None:
                self._problem(
                    number, Field.SERVICE, ErrorCode.INVALID_REQUEST, f"{service_text!r} is not a service"
                )
                continue
            key_text = self._text(cells, Field.KEY)
            key = key_named(key_text) if key_text else None
            if key_text and key is None:
                self._problem(
                    number, Field.KEY, ErrorCode.INVALID_REQUEST, f"{key_text!r} is not an allocation key"
                )
                continue
            share = self._number(cells, Field.SHARE, number)
            if share is None and not is_blank(self._cell(cells, Field.SHARE)):
                continue  # refused, a row error: not a cost shared some other way
            self.contents.community(code).costs.append(CostRow(number, concept, amount, service, share, key))

    def units(self) -> None:
        for number, cells in self._numeric_body():
            code = self._community_of(number)
            unit = self._text(cells, Field.UNIT)
            if code is None or unit is None:
                continue
            community = self.contents.community(code)
            self._community_details(community, number)
            self._unit_details(community, unit, number)
            amount = self._number(cells, Field.AMOUNT, number)
            if amount is not None:
                community.unit_amounts[unit_key(unit)] = (unit, amount, number)

    def communities(self) -> None:
        for number, _ in self._body():
            code = self._community_of(number)
            if code is not None:
                self._community_details(self.contents.community(code), number)

    def _community_details(
        self, community: CommunityFile, number: int, cells: tuple[Cell, ...] | None = None
    ) -> None:
        cells = self.sheet.rows[number - 1] if cells is None else cells
        if community.name is None:
            community.name = self._text(cells, Field.COMMUNITY_NAME)
        for name in CREDITOR_COLUMNS.keys() & self.index.keys():
            text = self._text(cells, name)
            if text is None:
                continue
            given = community.creditor.get((name, text))
            if given is None:
                column = self.columns.header(name) if self.columns else name.value
                community.creditor[name, text] = CreditorCell(name, text, self.sheet.name, number, column)
            else:
                given.rows += 1

    def _unit_details(
        self, community: CommunityFile, unit: str, number: int, cells: tuple[Cell, ...] | None = None
    ) -> None:
        cells = self.sheet.rows[number - 1] if cells is None else cells
        key = unit_key(unit)
        details = community.units.get(key)  # not setdefault: that would make a UnitRow for every row
        if details is None:
            details = community.units[key] = UnitRow(unit.strip(), number)
        details.coefficient = self._number(cells, Field.COEFFICIENT, number) or details.coefficient
        details.area = self._number(cells, Field.AREA, number) or details.area
        details.owner = self._text(cells, Field.OWNER) or details.owner
        details.iban = self._text(cells, Field.IBAN) or details.iban
        details.tax_id = self._text(cells, Field.TAX_ID) or details.tax_id

    def _body(self) -> list[tuple[int, tuple[Cell, ...]]]:
        assert self.columns is not None
        first = self.columns.header_index + 1
        rows = [
            (number, cells)
            for number, cells in enumerate(self.sheet.rows[first:], start=first + 1)
            if not all(map(is_blank, cells))  # stops at the first cell that is not blank
        ]
        self.contents.rows_total += len(rows)
        return rows

    def _numeric_body(self) -> list[tuple[int, tuple[Cell, ...]]]:
        """The body's rows, once how each numeric column is read is decided from them."""
        rows = self._body()
        columns = {name: index for name, index in self.index.items() if name in KINDS}
        cells = {name: [row[i] if i < len(row) else None for _, row in rows] for name, i in columns.items()}
        headers = {name: self.columns.header(name) for name in columns} if self.columns else {}
        self.numbers = column_numbers(cells, headers, self.hint)
        return rows

    def _community_of(self, number: int) -> str | None:
        return self._community_in(self.sheet.rows[number - 1], number)

    def _community_in(self, cells: tuple[Cell, ...], number: int) -> str | None:
        if Field.COMMUNITY in self.index:
            code = self._text(cells, Field.COMMUNITY)
            if code is not None:
                return code
        if self.default is not None:
            return self.default
        self._problem(
            number,
            Field.COMMUNITY,
            ErrorCode.MISSING_COLUMN,
            "no community code in the row nor for the file: a file without a community column goes to one "
            "community (over SFTP into the folder named after its code, over REST with its community_id); "
            "support's reprocess or POST /v1/imports/{id}/retry runs it again for one",
        )
        return None

    def _cell(self, cells: tuple[Cell, ...], name: Field) -> Cell:
        index = self.index.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def _text(self, cells: tuple[Cell, ...], name: Field) -> str | None:
        value = self._cell(cells, name)
        return None if value is None else (str(value).strip() or None)

    def _number(self, cells: tuple[Cell, ...], name: Field, number: int) -> Decimal | None:
        value = self._cell(cells, name)
        if value is None:
            return None
        numbers = self.numbers.get(name) or ColumnNumbers(KINDS[name], self.hint)
        try:
            return numbers.read(value)
        except NumberError as error:
            self._problem(number, name, error.code, error.why)
            return None

    def _problem(self, number: int, name: Field, code: ErrorCode, why: str) -> None:
        column = self.columns.header(name) if self.columns and name in self.columns.index else name.value
        self.contents.problems.append(
            Problem(
                code,
                f"sheet {self.sheet.name!r}, row {number}, column {column!r}: {why}",
                row=number,
                column=column,
            )
        )
        self.contents.rejected.add((self.sheet.name, number))
