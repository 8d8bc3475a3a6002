"""Fields of a community's creditor details: the IBAN collections are paid into (checked down to its
national control digits), its bank's BIC, and its SEPA creditor identifier (MOD 97-10 checked)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

from prorata.domain.collection.bic import InvalidBic, normalize_bic
from prorata.domain.collection.creditor import InvalidCreditorId, normalize_creditor_id
from prorata.entrypoints.api.context import components
from prorata.entrypoints.api.fields import Iban

# ISO 9362: bank, country, location, optional branch (the XSD of pain.008.001.02; domain/collection/bic.py).
BIC_PATTERN = r"^ *[A-Za-z]{6}[A-Za-z2-9][A-NP-Za-np-z0-9]([A-Za-z0-9]{3})? *$"
CREDITOR_ID_PATTERN = r"^ *[A-Za-z]{2} *[0-9]{2}( *[A-Za-z0-9]){4,31} *$"


class CreditorIban(Iban):
    """An IBAN whose national control digits are checked too (a Spanish account's "DC")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        iban = super()._deserialize(value, attr, data, **kwargs)
        problem = components().collection.accounts.iban_problem(iban)
        if problem is not None:
            raise ValidationError(problem)
        return iban


class Bic(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": BIC_PATTERN, "example": "CAIXESBBXXX"}
        super().__init__(metadata={**metadata, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_bic(text)
        except InvalidBic as error:
            raise ValidationError(str(error)) from None


class CreditorId(fields.String):
    """A SEPA creditor identifier, kept without spaces, upper case: ES97000B12345678 for NIF B12345678."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": CREDITOR_ID_PATTERN, "example": "ES97000B12345678"}
        super().__init__(metadata={**metadata, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_creditor_id(text)
        except InvalidCreditorId as error:
            raise ValidationError(str(error)) from None
