"""Numbers, money, percentages and dates as a language writes them. The conventions themselves are data
(the `format` section of each catalogue); this applies them, exactly, on Decimals.

Chosen conventions: es/ca `1.234,56 €`, fr `1 234,56 €` and en `€1,234.56`; dates `31/03/2026` in
es/ca/fr and `31 Mar 2026` in en (unambiguous to British and American readers alike). The spaces in fr
numbers and before a trailing € are no-break spaces (U+00A0): the embedded font has them (it has no narrow
no-break space, U+202F), they keep a number on one line, and text extraction reads them as spaces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from prorata.domain.money import plain, round_half_up

NBSP = "\u00a0"
_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
RATE_PLACES = 4


@dataclass(frozen=True, slots=True)
class Formats:
    decimal: str
    group: str
    money_pattern: str  # {amount} and {symbol}
    date_pattern: str  # {day}, {month}, {year} and {month_name}
    months: tuple[str, ...]
    percent_pattern: str  # {value}

    def __post_init__(self) -> None:
        if len(self.months) != 12:
            raise ValueError("a catalogue names twelve months")
        if self.decimal == self.group:
            raise ValueError("the decimal and group separators must differ")

    @classmethod
    def of(cls, section: dict[str, Any]) -> Formats:
        return cls(
            section["decimal"],
            section["group"],
            section["money"],
            section["date"],
            tuple(section["months"]),
            section["percent"],
        )

    def number(self, value: Decimal, places: int | None = None) -> str:
        """`places` decimals (rounded half-up), or as many as the value has (no trailing zeros)."""
        text = plain(value) if places is None else format(round_half_up(value, places), "f")
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, _, fraction = digits.partition(".")
        grouped = self.group.join(_threes(whole))
        if sign and set(whole + fraction) <= {"0"}:
            sign = ""  # no "-0,00"
        return sign + grouped + (self.decimal + fraction if fraction else "")

    def money(self, amount: Decimal, currency: str) -> str:
        text = self.number(abs(amount), 2)
        written = self.money_pattern.format(amount=text, symbol=self._symbol(currency))
        return "-" + written if amount < 0 and round_half_up(amount, 2) != 0 else written

    def rate(self, value: Decimal, currency: str) -> str:
        """A price per unit: two to four decimals, as many as it needs."""
        rounded = round_half_up(value, RATE_PLACES)
        places = max(2, -rounded.normalize().as_tuple().exponent)  # type: ignore[operator]
        text = self.number(abs(rounded), min(places, RATE_PLACES))
        written = self.money_pattern.format(amount=text, symbol=self._symbol(currency))
        return "-" + written if rounded < 0 else written

    def percent(self, value: Decimal) -> str:
        """A whole percentage, without sign (the words say more or less)."""
        return self.percent_pattern.format(value=self.number(abs(value), 0))

    def date(self, day: date) -> str:
        return self.date_pattern.format(
            day=day.day, month=day.month, year=day.year, month_name=self.months[day.month - 1]
        )

    def _symbol(self, currency: str) -> str:
        symbol = _SYMBOLS.get(currency)
        if symbol is not None:
            return symbol
        # A code before the amount needs a space after it (CHF 12.00), one after it has one already.
        return currency + NBSP if self.money_pattern.startswith("{symbol}") else currency


def _threes(whole: str) -> list[str]:
    head = len(whole) % 3 or 3
    return [whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))]
