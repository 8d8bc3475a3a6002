"""The one way a file's numbers are read, whatever the path (an import, `prorata simulate`) and the format.

Each numeric column decides its own decimal separator from its own numeric-looking cells — never from
codes or text columns such as the unit ("1.1", "1.2"). A column whose cells show nothing ("1.100" alone
is 1100 or 1.1) takes the one the sheet's other numeric columns show, else the format's locale hint (a
";" CSV comes from a decimal-comma locale); with neither, each such cell is an `ambiguous_number`, never
a guess. Every number is held to the contract's digit bounds, money to the cent (never rounded), and a
consumption share is a fraction from 0 to 1 however it is written ("70 %", "0,7")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from prorata.domain.money import plain, round_half_up
from prorata.domain.problems import ErrorCode
from prorata.domain.readings.headers import Field, normalize
from prorata.domain.readings.numbers import (
    INTEGER_DIGITS,
    LARGEST,
    MONEY_DECIMALS,
    QUANTITY_DECIMALS,
    detect_decimal_separator,
    parse_number,
    two_readings,
)
from prorata.domain.readings.sheet import Cell


class NumberKind(Enum):
    QUANTITY = "quantity"  # readings, factors, coefficients, areas: up to 9 decimals
    MONEY = "money"  # cost amounts, amounts per unit: whole cents
    SHARE = "share"  # a consumption share: 0 to 1, or a percentage


KINDS: Mapping[Field, NumberKind] = {
    Field.PREVIOUS: NumberKind.QUANTITY,
    Field.CURRENT: NumberKind.QUANTITY,
    Field.CONSUMPTION: NumberKind.QUANTITY,
    Field.FACTOR: NumberKind.QUANTITY,
    Field.COEFFICIENT: NumberKind.QUANTITY,
    Field.AREA: NumberKind.QUANTITY,
    Field.AMOUNT: NumberKind.MONEY,
    Field.SHARE: NumberKind.SHARE,
}

# A header naming a percentage, compared after `normalize` (which drops "%": that is looked for first).
_PERCENT_WORDS = ("porcentaje", "percentatge", "pourcentage", "percent", "prozent", "anteil", "pct")
_BILLIONTH = Decimal(10) ** -QUANTITY_DECIMALS
_CENT = Decimal(10) ** -MONEY_DECIMALS
_HUNDRED = Decimal(100)
_ONE = Decimal(1)


class NumberError(ValueError):
    """A cell that holds no number this column can take; `why` completes "row 3, column 'X': …"."""

    def __init__(self, code: ErrorCode, why: str) -> None:
        super().__init__(why)
        self.code = code
        self.why = why


def says_percent(header: str) -> bool:
    """Whether a column's header says it holds percentages: "Parte consumo %", "Porcentaje consumo"."""
    name = normalize(header)
    return "%" in header or any(word in name for word in _PERCENT_WORDS)


@dataclass(frozen=True, slots=True)
class ColumnNumbers:
    """How one column's cells are read: `separator` is its decimal separator, None when nothing in the
    file shows it (a cell then reads only if it cannot be taken two ways)."""

    kind: NumberKind
    separator: str | None
    percent_header: bool = False

    def read(self, cell: Cell) -> Decimal | None:
        """The cell's number, None for a blank one. Raises NumberError."""
        if cell is None:
            return None
        percent = False
        if type(cell) is Decimal:
            number = cell
        elif isinstance(cell, str):
            text = cell.strip()
            if not text:
                return None
            if self.kind is NumberKind.SHARE and text.endswith("%"):
                text, percent = text[:-1].rstrip(), True
            number = self._parse(text)
        else:
            raise NumberError(ErrorCode.INVALID_NUMBER, f"{str(cell)[:40]!r} is not a number")
        if not number.is_finite() or abs(number) >= LARGEST:
            raise NumberError(
                ErrorCode.INVALID_NUMBER,
                f"{str(cell)[:40]!r} has more than {INTEGER_DIGITS} digits before the decimal separator",
            )
        if self.kind is NumberKind.MONEY:
            if number != number.quantize(_CENT):
                raise NumberError(
                    ErrorCode.INVALID_NUMBER,
                    f"{str(cell)[:40]!r} has fractions of a cent (more than {MONEY_DECIMALS} decimals)",
                )
            return number
        if self.kind is NumberKind.SHARE:
            number = self._share(number, percent, cell)
        # Exports of computed columns carry float noise (65657,12299999999); a billionth of a unit moves
        # no cent, so quantities keep the contract's 9 decimals.
        return number if number.quantize(_BILLIONTH) == number else round_half_up(number, QUANTITY_DECIMALS)

    def _parse(self, text: str) -> Decimal:
        separator = self.separator
        if separator is None:
            either = two_readings(text)
            if either is not None:
                raise NumberError(
                    ErrorCode.AMBIGUOUS_NUMBER,
                    f"{text!r} reads as {plain(either[0])} or as {plain(either[1])}, and nothing in the "
                    "file shows whether it writes decimals with a comma or a point",
                )
            separator = "."  # the text holds neither separator: either reads it alike
        try:
            return parse_number(text, separator)
        except ValueError:
            raise NumberError(ErrorCode.INVALID_NUMBER, f"{text[:40]!r} is not a number") from None

    def _share(self, number: Decimal, percent: bool, cell: Cell) -> Decimal:
        if percent or (_ONE < number <= _HUNDRED and self.percent_header):
            number = number / _HUNDRED
        if not 0 <= number <= 1:
            raise NumberError(
                ErrorCode.INVALID_NUMBER,
                f"{str(cell)[:40]!r} is not a share: a fraction from 0 to 1 or a percentage (70 %)",
            )
        return number


def column_numbers(
    cells: Mapping[Field, Sequence[Cell]], headers: Mapping[Field, str], hint: str | None
) -> dict[Field, ColumnNumbers]:
    """How to read each numeric column of a sheet, given its cells (the rows below the header), its
    header and the format's locale hint (None: no hint)."""
    shown: dict[Field, str | None] = {
        field: _shown(column, KINDS[field]) for field, column in cells.items() if field in KINDS
    }
    decided = {separator for separator in shown.values() if separator is not None}
    fallback = decided.pop() if len(decided) == 1 else hint
    return {
        field: ColumnNumbers(
            KINDS[field],
            separator or fallback,
            KINDS[field] is NumberKind.SHARE and says_percent(headers.get(field, "")),
        )
        for field, separator in shown.items()
    }


def _shown(column: Sequence[Cell], kind: NumberKind) -> str | None:
    """The decimal separator the column's own cells show: most of them; on a tie, the first."""
    texts = [cell for cell in column if isinstance(cell, str)]
    if kind is NumberKind.SHARE:
        texts = [text.replace("%", "") for text in texts]
    return detect_decimal_separator(texts)
