"""Settlement contract v1 as OpenAPI documents it (docs/settlement.md): terms, cost lines, tariffs, units
and readings. The contract's own reader (application/contract_request.py) has the last word — it also
checks what no schema can say (a period's end after its start, previous and current or a consumption) —
but everything said here is enforced, so a request shaped by these schemas reads as sent."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from prorata.domain.settlement.request import FixedKey, Service
from prorata.entrypoints.api.fields import SHARE_PATTERN, DecimalString

# The contract's texts hold more than white space — as Python's str.strip() sees it, which also strips
# the separators U+001C-U+001F and U+0085 that neither ECMA's nor Rust's \s knows.
TEXT = r"[^\s\x1c-\x1f\x85]"

_ESTIMATION_OBJECT = {
    "type": "object",
    "properties": {
        "method": {"type": "string", "enum": ["none", "area_average"]},
        "max_area_share": {"type": "string", "pattern": SHARE_PATTERN, "example": "0.25"},
    },
    "required": ["method"],
    "additionalProperties": False,
}


def _choice(values: type[Service] | type[FixedKey], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf([v.value for v in values]), **kwargs)


def _text(**kwargs: Any) -> fields.String:
    metadata = {"pattern": TEXT, **kwargs.pop("metadata", {})}
    return fields.String(validate=_has_text, metadata=metadata, **kwargs)


def _at_least_one(what: str) -> validate.Length:
    """minItems 1, refused in the contract's words."""
    return validate.Length(min=1, error=f"must hold at least one {what}")


def _has_text(value: str) -> None:
    if not value.strip():
        raise ValidationError("must be a non-empty string")


class PeriodSchema(Schema):
    from_ = fields.Date(required=True, data_key="from", attribute="from")
    to = fields.Date(required=True, metadata={"description": "the last day, not before `from`"})


class TariffBlockSchema(Schema):
    up_to = DecimalString(
        required=True,
        allow_none=True,
        positive=True,
        metadata={"description": "the block's upper bound; null for the last, unbounded block"},
    )
    price = DecimalString(required=True, minimum=0, metadata={"description": "per unit consumed"})


class TariffSchema(Schema):
    blocks = fields.List(
        fields.Nested(TariffBlockSchema),
        required=True,
        validate=_at_least_one("block"),
        metadata={"description": "in ascending order of `up_to`"},
    )


class Estimation(fields.Raw):
    """`"none"` or an object naming the method (and the cap on the estimated share of the area)."""

    def __init__(self, **kwargs: Any) -> None:
        one_of = [{"type": "string", "enum": ["none"]}, _ESTIMATION_OBJECT]
        super().__init__(metadata={"oneOf": one_of, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "none":
            return value
        if not isinstance(value, dict):
            raise ValidationError('must be "none" or {"method": "area_average", "max_area_share": "0.25"}')
        return _EstimationSchema().load(value)


class _EstimationSchema(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["none", "area_average"]))
    max_area_share = DecimalString(share=True)


class CostSchema(Schema):
    concept = _text(required=True)
    amount = DecimalString(
        money=True, metadata={"description": "the line's cost; required unless it has a tariff"}
    )
    consumption_share = DecimalString(
        share=True, metadata={"description": "the part shared by consumption; not with a tariff"}
    )
    fixed_key = _choice(FixedKey)
    tariff = fields.Nested(TariffSchema)


class ContractTermsSchema(Schema):
    """What a settlement shares and how: contract v1 without its units."""

    service = _choice(Service, metadata={"description": "other when left out"})
    period = fields.Nested(PeriodSchema)
    currency = fields.String(
        validate=validate.Regexp("^[A-Z]{3}$", error="must be an ISO 4217 code such as EUR"),
        metadata={"pattern": "^[A-Z]{3}$", "example": "EUR", "description": "EUR when left out"},
    )
    consumption_share = DecimalString(share=True)
    fixed_key = _choice(FixedKey)
    estimation = Estimation()
    costs = fields.List(fields.Nested(CostSchema), required=True, validate=_at_least_one("cost line"))


class ContractReadingSchema(Schema):
    """A meter's reading: previous and current, or a consumption — not both."""

    meter = _text(allow_none=True)
    previous = DecimalString(allow_none=True)
    current = DecimalString(allow_none=True)
    consumption = DecimalString(allow_none=True)
    factor = DecimalString(allow_none=True, minimum=0)
    rollover = DecimalString(allow_none=True, positive=True)
    date = fields.Date(allow_none=True)


class UnitReadingSchema(ContractReadingSchema):
    """A reading of the unit it names."""

    unit = _text(required=True)


class ContractUnitSchema(Schema):
    unit = _text(required=True, metadata={"description": "unique, trimmed and case aside"})
    coefficient = DecimalString(allow_none=True, minimum=0)
    area = DecimalString(allow_none=True, minimum=0)
    metered = fields.Boolean(allow_none=True)
    readings = fields.List(fields.Nested(ContractReadingSchema), allow_none=True)


class SettlementRequestSchema(ContractTermsSchema):
    """A settlement request (contract v1): costs, rules and units with their readings."""

    units = fields.List(fields.Nested(ContractUnitSchema), required=True, validate=_at_least_one("unit"))
