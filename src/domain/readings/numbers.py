"""Numbers as people type them: decimal comma or point, thousands grouped in threes — and the bounds every
path holds a number to, the contract's JSON strings as much as a file's cells."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

# The contract's bounds: 15 digits before the separator; 9 decimals for a quantity, 2 for money.
INTEGER_DIGITS = 15
QUANTITY_DECIMALS = 9
MONEY_DECIMALS = 2
LARGEST = Decimal(10) ** INTEGER_DIGITS

# A decimal as the contract's JSON carries it: a point, no grouping, within the bounds.
CONTRACT_DECIMAL = rf"-?[0-9]{{1,{INTEGER_DIGITS}}}(\.[0-9]{{1,{QUANTITY_DECIMALS}}})?"

# Spaces (also non-breaking and narrow ones, as French systems write them) and apostrophes (Swiss) only
# ever group thousands.
SPACES = " \u00a0\u202f'’"
_NO_SPACES = str.maketrans("", "", SPACES)

# What a number-looking text shows about its decimal separator, one text a line (see `votes`). A comma is
# the decimal separator when a point comes before it ("1.234,5"), when points repeat ("1.234.567"), or
# when it is alone and cannot group thousands: not three digits after it ("833,0"), nothing or a zero
# before it ("0,125"), or more than three digits before it ("15613,327"). The same, swapped, for a point.
_SHOWS = (
    r"^[+-]?(?:[0-9P]*P[0-9P]*C[0-9]+|[0-9]+(?:P[0-9]+){2,}"
    r"|[0-9]*C(?:[0-9]{1,2}|[0-9]{4,})|0?C[0-9]+|[0-9]{4,}C[0-9]+)$"
)
_SHOWS_COMMA = re.compile(_SHOWS.replace("C", ",").replace("P", r"\."), re.MULTILINE)
_SHOWS_POINT = re.compile(_SHOWS.replace("C", r"\.").replace("P", ","), re.MULTILINE)
# "1.100", "2,125": either 1100 grouped or a fraction; only the rest of the file can tell.
_EITHER = re.compile(r"^[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}$", re.MULTILINE)


def votes(texts: Iterable[str]) -> tuple[int, int]:
    """How many of `texts` show a decimal comma, and how many a decimal point. Read as one string by
    two regular expressions, not text by text: a column may hold 100,000 cells, and a Python call per
    cell is what costs. (A cell holding a line break counts as its lines; it is no number anyway, and
    its row is refused when read.)"""
    joined = "\n".join(texts).translate(_NO_SPACES)
    return len(_SHOWS_COMMA.findall(joined)), len(_SHOWS_POINT.findall(joined))


def first_shown(texts: Iterable[str]) -> str | None:
    """The decimal separator the first text that shows one shows."""
    for text in texts:
        shown = shown_by(text)
        if shown is not None:
            return shown
    return None


def shown_by(text: str) -> str | None:
    """ "," or "." when `text` alone shows which one separates its decimals, else None."""
    value = text.strip().translate(_NO_SPACES)
    if _SHOWS_COMMA.fullmatch(value):
        return ","
    if _SHOWS_POINT.fullmatch(value):
        return "."
    return None


def two_readings(text: str) -> tuple[Decimal, Decimal] | None:
    """The two numbers `text` reads as when it can be taken two ways ("1.100": 1100 or 1.1), else None."""
    value = text.strip().translate(_NO_SPACES)
    if _EITHER.fullmatch(value) is None:
        return None
    whole, fraction = re.split("[.,]", value)
    return Decimal(whole + fraction), Decimal(f"{whole}.{fraction}")


def detect_decimal_separator(texts: Iterable[str]) -> str | None:
    """The decimal separator most of `texts` show (on a tie, the first one shown), or None when none
    shows one: "1.234" alone does not."""
    values = list(texts)
    comma, point = votes(values)
    if comma != point:
        return "," if comma > point else "."
    return first_shown(values) if comma else None


def parse_number(text: str, decimal_separator: str) -> Decimal:
    """The number `text` holds, `decimal_separator` being "," or "."; the other one, a space or an
    apostrophe may group thousands, in threes. Raises ValueError for anything else."""
    if _plain(decimal_separator).fullmatch(text):  # "-1234,5": most cells, read without the rest
        return Decimal(text if decimal_separator == "." else text.replace(",", "."))
    match = _pattern(decimal_separator).fullmatch(text.strip())
    if match is None or not any(match.group("grouped", "whole", "fraction")):
        raise ValueError(f"{text[:40]!r} is not a number")
    sign, grouped, grouping, whole, fraction = match.groups()
    digits = grouped.replace(grouping, "") if grouped else whole or "0"
    return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")


@cache
def within_bounds(decimal_separator: str | None, decimals: int) -> re.Pattern[str]:
    """Numbers written plainly (no grouping, no spaces) within the bounds, with at most `decimals`
    decimals: most cells of a file, which can be read as they are with nothing left to check. With no
    `decimal_separator`, whole numbers only."""
    fraction = (
        "" if decimal_separator is None else rf"(?:{re.escape(decimal_separator)}[0-9]{{1,{decimals}}})?"
    )
    return re.compile(rf"[+-]?[0-9]{{1,{INTEGER_DIGITS}}}{fraction}")


@cache
def _plain(decimal_separator: str) -> re.Pattern[str]:
    return re.compile(rf"[+-]?[0-9]+(?:{re.escape(decimal_separator)}[0-9]+)?")


@cache
def _pattern(decimal_separator: str) -> re.Pattern[str]:
    grouping = re.escape(("." if decimal_separator == "," else ",") + SPACES)
    separator = re.escape(decimal_separator)
    return re.compile(
        rf"([+-]?)(?:(?P<grouped>[1-9][0-9]{{0,2}}([{grouping}])[0-9]{{3}}(?:\3[0-9]{{3}})*)"
        rf"|(?P<whole>[0-9]*))(?:{separator}(?P<fraction>[0-9]+))?"
    )
