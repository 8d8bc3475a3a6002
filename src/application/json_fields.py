"""Reading JSON objects field by field, collecting an `invalid_request` problem for each bad field.

The contract carries amounts and quantities as strings holding decimals; a JSON number is refused, so a
float never touches money."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.readings.numbers import CONTRACT_DECIMAL, MONEY_DECIMALS

T = TypeVar("T")
_DECIMAL = re.compile(CONTRACT_DECIMAL)  # the bounds files are held to as well (domain/readings/numbers)
_CENT = Decimal(10) ** -MONEY_DECIMALS


# The same without a sign, for many texts at once: one a line.
_UNSIGNED = CONTRACT_DECIMAL.removeprefix("-?")
_UNSIGNED_DECIMAL_LINES = re.compile(rf"(?:{_UNSIGNED}\n)*+{_UNSIGNED}")


def is_decimal_text(text: str) -> bool:
    """The contract's form of a decimal: up to 15 digits, then up to 9 decimals."""
    return _DECIMAL.fullmatch(text) is not None


def all_unsigned_decimal_texts(texts: list[str]) -> bool:
    """Whether every one is a text (a str) in the contract's form of a decimal, without a sign: checked
    by one regular expression over them all (a match a text took longer than reading the JSON)."""
    if not texts or set(map(type, texts)) != {str}:
        return False
    joined = "\n".join(texts)
    # As many lines as texts: no text holds a line break of its own.
    return joined.count("\n") == len(texts) - 1 and _UNSIGNED_DECIMAL_LINES.fullmatch(joined) is not None


class FieldReader:
    """Reads one JSON object at `path`, appending a problem to `problems` for each field it refuses."""

    def __init__(self, data: object, path: str, problems: list[Problem], unit: str | None = None) -> None:
        self.path = path
        self.problems = problems
        self.unit = unit
        self.is_object = isinstance(data, dict)
        self.data: Mapping[str, Any] = data if isinstance(data, dict) else {}
        if not self.is_object:
            self.refuse(None, "must be a JSON object")

    def field_path(self, name: str | None) -> str:
        if name is None:
            return self.path or "(request)"
        return f"{self.path}.{name}" if self.path else name

    def refuse(self, name: str | None, why: str) -> None:
        where = self.field_path(name)
        self.problems.append(
            Problem(ErrorCode.INVALID_REQUEST, f"{where} {why}", unit=self.unit, field=where)
        )

    def only(self, allowed: Collection[str]) -> None:
        for name in self.data:
            if name not in allowed:
                self.refuse(name, f"is not a field of this object (allowed: {', '.join(sorted(allowed))})")

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def text(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required and self.is_object:
                self.refuse(name, "is required")
            return default
        if not isinstance(value, str) or not value.strip():
            self.refuse(name, "must be a non-empty string")
            return None
        return value

    def choice(self, name: str, parse: Callable[[str], T], default: T, options: Collection[str]) -> T:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or value not in options:
            self.refuse(name, f"must be one of {', '.join(options)}")
            return default
        return parse(value)

    def decimal(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        positive: bool = False,
        cents: bool = False,
    ) -> Decimal | None:
        value = self.data.get(name)
        if value is None:
            if required and self.is_object:
                self.refuse(name, "is required")
            return None
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            self.refuse(name, 'must be a string holding a decimal number, such as "1234.50"')
            return None
        number = Decimal(value)
        if minimum is not None and number < minimum:
            self.refuse(name, f"must be at least {minimum}")
        elif maximum is not None and number > maximum:
            self.refuse(name, f"must be at most {maximum}")
        elif positive and number <= 0:
            self.refuse(name, "must be greater than 0")
        elif cents and number != number.quantize(_CENT):
            self.refuse(name, "must not have fractions of a cent (at most 2 decimals)")
        else:
            return number
        return None

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.refuse(name, "must be true or false")
            return default
        return value

    def iso_date(self, name: str, *, required: bool = False) -> date | None:
        text = self.text(name, required=required)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.refuse(name, "is not a valid date (YYYY-MM-DD, e.g. 2026-03-31)")
            return None

    def items(self, name: str, *, required: bool = False) -> list[Any]:
        value = self.data.get(name)
        if value is None:
            if required and self.is_object:
                self.refuse(name, "is required")
            return []
        if not isinstance(value, list):
            self.refuse(name, "must be a JSON array")
            return []
        return value
