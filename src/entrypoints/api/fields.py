"""Marshmallow fields for the contract's conventions: decimals travel as strings, never floats.

Each field documents its rule as a `pattern` and is held to that very pattern, so a client generated from
/openapi.json sends what the server accepts: a sign only where a negative number is allowed, at most two
significant decimals for money, IBANs and tax ids in the shapes they are read in."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from prorata.domain.community.iban import normalize_iban
from prorata.domain.community.people import normalize_tax_id
from prorata.domain.readings.numbers import INTEGER_DIGITS, MONEY_DECIMALS, QUANTITY_DECIMALS

_DIGITS = f"[0-9]{{1,{INTEGER_DIGITS}}}"
_FRACTION = f"(\\.[0-9]{{1,{QUANTITY_DECIMALS}}})?"
# Money: cents, and trailing zeros after them ("12.500" is 12.50, not a fraction of a cent).
_CENTS = f"(\\.[0-9]{{1,{MONEY_DECIMALS}}}0{{0,{QUANTITY_DECIMALS - MONEY_DECIMALS}}})?"

DECIMAL_PATTERN = f"^-?{_DIGITS}{_FRACTION}$"
NON_NEGATIVE_PATTERN = f"^{_DIGITS}{_FRACTION}$"
POSITIVE_PATTERN = f"^(?=[0-9.]*[1-9]){_DIGITS}{_FRACTION}$"
MONEY_PATTERN = f"^-?{_DIGITS}{_CENTS}$"
# A share of a whole, 0 to 1 ("0.70"; "1", "1.0").
SHARE_PATTERN = (
    f"^(0{{1,{INTEGER_DIGITS}}}{_FRACTION}|0{{0,{INTEGER_DIGITS - 1}}}1(\\.0{{1,{QUANTITY_DECIMALS}}})?)$"
)
# As read: spaces anywhere, any case; the check digits are checked too, which no pattern can say.
IBAN_PATTERN = r"^ *[A-Za-z] *[A-Za-z] *[0-9] *[0-9]( *[A-Za-z0-9]){11,30} *$"
# As read: 4 to 30 letters and digits, with the spaces, dots, dashes and slashes people write in them.
TAX_ID_PATTERN = r"^[ ./-]*([A-Za-z0-9][ ./-]*){4,30}$"


class DecimalString(fields.String):
    """A decimal number as a JSON string ("12.50"); a JSON number is refused. `minimum=0` refuses a sign,
    `positive` zero too, `money` fractions of a cent, `share` anything outside 0 to 1."""

    def __init__(
        self,
        *,
        minimum: Decimal | int | None = None,
        positive: bool = False,
        money: bool = False,
        share: bool = False,
        **kwargs: Any,
    ) -> None:
        if minimum is not None and minimum != 0:
            raise ValueError("a pattern states no minimum other than 0; use positive=True for > 0")
        pattern = (
            SHARE_PATTERN
            if share
            else POSITIVE_PATTERN
            if positive
            else MONEY_PATTERN
            if money
            else NON_NEGATIVE_PATTERN
            if minimum is not None
            else DECIMAL_PATTERN
        )
        example = "0.70" if share else "12.50"
        metadata = {"pattern": pattern, "example": example, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.rule = re.compile(pattern)
        self.why = (
            "between 0 and 1"
            if share
            else "greater than 0"
            if positive
            else "without fractions of a cent (at most 2 decimals)"
            if money
            else "at least 0"
            if minimum is not None
            else None
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not re.fullmatch(DECIMAL_PATTERN, value):
            raise ValidationError('must be a string holding a decimal number, such as "12.50"')
        if not self.rule.fullmatch(value):
            raise ValidationError(f"must be {self.why}")
        return Decimal(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format(value, "f")


class Iban(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": IBAN_PATTERN, "example": "ES91 2100 0418 4502 0005 1332"}
        super().__init__(metadata={**metadata, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_iban(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class TaxId(fields.String):
    """A NIF, NIE, CIF or other tax id, kept without spaces, dots or dashes, upper case."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": TAX_ID_PATTERN, "example": "12345678Z"}
        super().__init__(metadata={**metadata, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_tax_id(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None
