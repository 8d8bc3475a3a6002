"""Numbers as people type them in spreadsheets: decimal comma or point, thousands separators."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

# Spaces (also non-breaking and narrow ones, as French systems write them) and apostrophes (Swiss)
# only ever group thousands.
_SPACES = str.maketrans("", "", " \u00a0\u202f'’")


def detect_decimal_separator(texts: Iterable[str]) -> str | None:
    """ "," or "." when some value shows which one separates decimals, else None.

    "1.234,5" (the last of two kinds), "1.234.567" (a repeated one groups), "833,0" (not three digits
    after it) and "0,125" (nothing to group) each tell; "1.234" alone does not."""
    for text in texts:
        value = text.strip().translate(_SPACES)
        last = max(value.rfind(","), value.rfind("."))
        if last < 0:
            continue
        separator = value[last]
        other = "." if separator == "," else ","
        if other in value[:last]:
            return separator
        if value.count(separator) > 1:
            return other
        if len(value[:last].lstrip("+-")) > 3:
            return separator  # "15613,327": no thousands group is longer than three digits
        if len(value) - last - 1 != 3 or value[:last].lstrip("+-") in ("", "0"):
            return separator
    return None


def parse_number(text: str, decimal_separator: str) -> Decimal:
    """The number `text` holds, `decimal_separator` being "," or "."; the other one may group thousands
    in threes. Raises ValueError for anything else."""
    if _plain(decimal_separator).fullmatch(text):  # "-1234,5": most cells, read without the rest
        return Decimal(text if decimal_separator == "." else text.replace(",", "."))
    value = text.strip().translate(_SPACES)
    grouping = "." if decimal_separator == "," else ","
    match = _pattern(decimal_separator).fullmatch(value)
    if match is None:
        raise ValueError(f"{text!r} is not a number")
    sign, whole, fraction = match.groups()
    digits = whole.replace(grouping, "")
    return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")


@cache
def _plain(decimal_separator: str) -> re.Pattern[str]:
    return re.compile(rf"[+-]?\d+(?:{re.escape(decimal_separator)}\d+)?")


@cache
def _pattern(decimal_separator: str) -> re.Pattern[str]:
    grouping = "." if decimal_separator == "," else ","
    return re.compile(
        rf"([+-]?)(\d{{1,3}}(?:{re.escape(grouping)}\d{{3}})+|\d+)(?:{re.escape(decimal_separator)}(\d+))?"
    )
