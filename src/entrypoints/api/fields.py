"""Marshmallow fields for the contract's conventions: decimals travel as strings, never floats."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from prorata.domain.community.iban import normalize_iban
from prorata.domain.community.people import normalize_tax_id
from prorata.domain.readings.numbers import CONTRACT_DECIMAL

DECIMAL_PATTERN = f"^{CONTRACT_DECIMAL}$"
_DECIMAL = re.compile(DECIMAL_PATTERN)


class DecimalString(fields.String):
    """A decimal number as a JSON string ("12.50"); a JSON number is refused."""

    def __init__(self, *, minimum: Decimal | None = None, **kwargs: Any) -> None:
        metadata = {"pattern": DECIMAL_PATTERN, "example": "12.50", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            raise ValidationError('must be a string holding a decimal number, such as "12.50"')
        number = Decimal(value)
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"must be at least {self.minimum}")
        return number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format(value, "f")


class Iban(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_iban(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class TaxId(fields.String):
    """A NIF, NIE, CIF or other tax id, kept without spaces, dots or dashes, upper case."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_tax_id(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None
