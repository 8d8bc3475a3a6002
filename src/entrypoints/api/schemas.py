"""Request and response bodies. Unknown fields are refused (marshmallow's RAISE)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from prorata.domain.access.principal import Role
from prorata.domain.collection.rules import DEFAULT_PRENOTIFICATION_DAYS
from prorata.domain.community.model import Language, OccupancyRole, ReadingSource, UnitKind
from prorata.domain.receipts.catalogue import LANGUAGES
from prorata.domain.receipts.receipt import DEFAULT_DUE_DAYS
from prorata.domain.settlement.request import Service
from prorata.domain.settlement.stored import ReceiptStatus, SettlementStatus
from prorata.entrypoints.api.collection_fields import Bic, CreditorIban, CreditorId
from prorata.entrypoints.api.contract_schemas import ContractTermsSchema, PeriodSchema, UnitReadingSchema
from prorata.entrypoints.api.fields import MONEY_PATTERN, DecimalString, Iban, TaxId

ZERO = Decimal(0)


def choice(enum: type[StrEnum]) -> validate.OneOf:
    """Values of the enum, and only those (documented as an enum in the OpenAPI document)."""
    return validate.OneOf([e.value for e in enum])


def _code() -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=50))


class ProblemSchema(Schema):
    code = fields.String(required=True, metadata={"example": "invalid_request"})
    message = fields.String(required=True)
    field = fields.String()
    unit = fields.String()
    meter = fields.String()
    row = fields.Integer()
    column = fields.String()
    status = fields.String(metadata={"description": "invalid_transition: the receipt's current status"})
    referred_by = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": 'a refused DELETE: the records that refer to it, by kind (`{"units": 9}`)'},
    )


class ErrorsSchema(Schema):
    errors = fields.List(fields.Nested(ProblemSchema), required=True)


class CommunitySchema(Schema):
    id = fields.String(dump_only=True)
    code = _code()
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    tax_id = fields.String(allow_none=True, validate=validate.Length(max=30))
    creditor_id = CreditorId(
        allow_none=True,
        validate=validate.Length(max=35),
        metadata={"description": "SEPA creditor identifier (MOD 97-10 checked): ES97000B12345678"},
    )
    due_days = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=365),
        metadata={
            "description": "receipts published from now on fall due this many days after their issue "
            f"(none: {DEFAULT_DUE_DAYS})"
        },
    )
    iban = CreditorIban(
        allow_none=True, metadata={"description": "the account direct debits are collected into"}
    )
    bic = Bic(allow_none=True, metadata={"description": "its bank's BIC (else found from the IBAN)"})
    prenotification_days = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=60),
        metadata={
            "description": "residents are told of a debit this many days ahead; a remittance is "
            f"collected no sooner (none: the SEPA rulebook's {DEFAULT_PRENOTIFICATION_DAYS})"
        },
    )


class UnitSchema(Schema):
    id = fields.String(dump_only=True)
    community_id = fields.String(dump_only=True)
    code = _code()
    coefficient = DecimalString(allow_none=True, minimum=ZERO)
    area = DecimalString(allow_none=True, minimum=ZERO)
    kind = fields.String(load_default=UnitKind.DWELLING.value, validate=choice(UnitKind))
    position = fields.Integer(
        dump_only=True,
        metadata={"description": "the unit's place in the community's order (the order units were added in)"},
    )


class OccupancySchema(Schema):
    """A unit the resident holds, from `since` to `until` (both included; none: no start, no end). A new
    owner of a unit ends its previous ownership the day before `since`."""

    unit_id = fields.String(required=True)
    role = fields.String(load_default=OccupancyRole.OWNER.value, validate=choice(OccupancyRole))
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)

    @validates_schema
    def _names_its_unit(self, data: dict[str, Any], **kwargs: Any) -> None:
        # A PATCH loads partially, and marshmallow carries that into nested schemas: an occupancy listed
        # in a PATCH still needs its unit.
        if "unit_id" not in data:
            raise ValidationError("Missing data for required field.", "unit_id")

    @validates_schema
    def _ends_after_it_starts(self, data: dict[str, Any], **kwargs: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            raise ValidationError("must not be before since", "until")


class ResidentSchema(Schema):
    id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    language = fields.String(load_default=Language.ES.value, validate=choice(Language))
    external_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    iban = Iban(allow_none=True)
    tax_id = TaxId(allow_none=True, metadata={"description": "NIF, NIE, CIF…: one resident per tax id"})
    mandate_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=35))
    mandate_signed_on = fields.Date(allow_none=True)
    units = fields.List(fields.Nested(OccupancySchema), load_default=list, attribute="occupancies")


class MeterSchema(Schema):
    id = fields.String(dump_only=True)
    unit_id = fields.String(required=True)
    serial = fields.String(required=True, validate=validate.Length(min=1, max=100))
    service = fields.String(required=True, validate=choice(Service))
    factor = DecimalString(load_default=Decimal(1), minimum=ZERO)
    rollover = DecimalString(allow_none=True, positive=True)
    replaced_on = fields.Date(
        dump_only=True, allow_none=True, metadata={"description": "the day of its final reading"}
    )
    replaced_by = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "the meter that reads after it"}
    )


class MeterPatchSchema(MeterSchema):
    class Meta:
        exclude = ("unit_id",)


class MeterReplacementSchema(Schema):
    date = fields.Date(required=True, metadata={"description": "the day of the old meter's final reading"})
    final_reading = DecimalString(required=True, metadata={"description": "the old meter's last value"})
    new_serial = fields.String(required=True, validate=validate.Length(min=1, max=100))
    initial_reading = DecimalString(required=True, metadata={"description": "the new meter's first value"})
    factor = DecimalString(minimum=ZERO, metadata={"description": "the new meter's; else the old one's"})
    rollover = DecimalString(
        allow_none=True,
        positive=True,
        metadata={"description": "the new meter's; the old one's if left out"},
    )


class ReadingCorrectionEntrySchema(Schema):
    value = DecimalString(required=True, metadata={"description": "the value the reading held before"})
    reason = fields.String(required=True)
    corrected_at = fields.DateTime(required=True)
    by = fields.String(required=True, metadata={"description": "the role that corrected it, or the import"})


class ReadingSchema(Schema):
    id = fields.String(dump_only=True)
    meter_id = fields.String(required=True)
    date = fields.Date(required=True, attribute="read_on")
    value = DecimalString(required=True)
    source = fields.String(dump_only=True, validate=choice(ReadingSource))
    import_id = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "the import whose file brought it"}
    )
    corrections = fields.List(
        fields.Nested(ReadingCorrectionEntrySchema),
        dump_only=True,
        metadata={"description": "the values it held before, oldest first"},
    )


class ReadingCorrectionSchema(Schema):
    value = DecimalString(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReplacementSchema(Schema):
    replaced = fields.Nested(MeterSchema, required=True)
    meter = fields.Nested(MeterSchema, required=True, metadata={"description": "the new meter"})
    final_reading = fields.Nested(ReadingSchema, required=True)
    initial_reading = fields.Nested(ReadingSchema, required=True)


class ReadingBatchSchema(Schema):
    readings = fields.List(fields.Nested(ReadingSchema(only=("meter_id", "date", "value"))), required=True)


class ReadingBatchResultSchema(Schema):
    created = fields.List(fields.Nested(ReadingSchema), required=True)
    unchanged = fields.Integer(required=True, metadata={"description": "readings already stored as sent"})


class ReadingQuerySchema(Schema):
    meter_id = fields.String()
    import_id = fields.String()
    source = fields.String(validate=choice(ReadingSource))


class UnitQuerySchema(Schema):
    unit_id = fields.String()


class TermsSchema(ContractTermsSchema):
    """Contract v1 fields other than units; validated by the contract's own rules too."""

    service = fields.String(required=True, validate=choice(Service))
    period = fields.Nested(PeriodSchema, required=True)


class SettlementInSchema(TermsSchema):
    community_id = fields.String(required=True)


class SettlementSchema(Schema):
    id = fields.String(required=True)
    community_id = fields.String(required=True)
    service = fields.String(required=True, validate=choice(Service))
    period = fields.Nested(PeriodSchema, required=True)
    status = fields.String(required=True, validate=choice(SettlementStatus))
    number = fields.Integer(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    terms = fields.Dict(required=True)
    corrections_pending = fields.Boolean(
        metadata={"description": "a reading it counted was corrected after it was published"}
    )


class ComputeInSchema(Schema):
    readings = fields.List(
        fields.Nested(UnitReadingSchema),
        validate=validate.Length(min=1, error="must hold at least one reading"),
        metadata={
            "description": "contract readings, each with its `unit`; when given, stored readings are not used"
        },
    )


class SettlementResultSchema(Schema):
    """The contract v1 output (see docs/settlement.md)."""

    service = fields.String()
    period = fields.Dict()
    currency = fields.String(required=True)
    total = fields.String(required=True)
    pools = fields.List(fields.Dict(), required=True)
    receipts = fields.List(fields.Dict(), required=True)
    warnings = fields.List(
        fields.Dict(),
        required=True,
        metadata={
            "description": "what to tell the reader beyond the amounts, each {code, message}: "
            "no_metered_unit, consumption_fell_back_to_key, estimated_units"
        },
    )


class PublishedSchema(Schema):
    settlement = fields.Nested(SettlementSchema, required=True)
    receipts = fields.List(fields.Nested(lambda: ReceiptSchema()), required=True)


class ReceiptCommunitySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(allow_none=True)
    tax_id = fields.String(allow_none=True)


class ReceiptUnitSchema(Schema):
    id = fields.String(required=True)
    code = fields.String(required=True)
    kind = fields.String(required=True, validate=choice(UnitKind))
    coefficient = DecimalString(allow_none=True, minimum=ZERO)
    area = DecimalString(allow_none=True, minimum=ZERO)


class ReceiptPayerSchema(Schema):
    name = fields.String(required=True)
    iban = fields.String(
        allow_none=True,
        metadata={
            "description": "masked: only its country, check digits and last 4",
            "example": "ES91 **** **** **** **** 1332",
        },
    )


class ReceiptSchema(Schema):
    id = fields.String(required=True)
    number = fields.String(required=True)
    settlement_id = fields.String(required=True)
    unit_id = fields.String(required=True)
    community = fields.Nested(ReceiptCommunitySchema, required=True)
    unit = fields.Nested(ReceiptUnitSchema, required=True)
    payer = fields.Nested(
        ReceiptPayerSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "the owner holding the unit on the period's last day (else on the day of issue); "
            "null when none is on record"
        },
    )
    service = fields.String(required=True, validate=choice(Service))
    period = fields.Nested(PeriodSchema, required=True)
    issued_on = fields.Date(required=True, allow_none=True)
    due_on = fields.Date(required=True, allow_none=True)
    status = fields.String(required=True, validate=choice(ReceiptStatus))
    status_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "the day of its last move"}
    )
    currency = fields.String(required=True)
    total = fields.String(required=True, metadata={"pattern": MONEY_PATTERN})
    detail = fields.Dict(
        required=True, metadata={"description": "the contract receipt: lines, meters, trace"}
    )


class ReceiptPdfQuerySchema(Schema):
    lang = fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={
            "description": "the PDF's language; else the resident's own (with her key), else the payer's, "
            "else es"
        },
    )


class ReceiptQuerySchema(Schema):
    status = fields.List(
        fields.String(validate=choice(ReceiptStatus)),
        metadata={"description": "one or several (`?status=returned&status=in_collection`)"},
    )
    settlement_id = fields.String()
    unit_id = fields.String()
    community_id = fields.String(metadata={"description": "the receipts of the community's settlements"})
    issued_on__from = fields.Date(data_key="issued_from", metadata={"description": "issued on or after"})
    issued_on__to = fields.Date(data_key="issued_to", metadata={"description": "issued on or before"})

    @validates_schema
    def _ends_after_it_starts(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("issued_on__from"), data.get("issued_on__to")
        if start is not None and end is not None and end < start:
            raise ValidationError("must not be before issued_from", "issued_to")


class TokenSchema(Schema):
    id = fields.String(required=True, metadata={"description": "the key's id, to list or revoke it"})
    key = fields.String(required=True, metadata={"description": "shown once; keep it"})


class KeySchema(Schema):
    """An API key as listed: never its secret."""

    id = fields.String(required=True)
    role = fields.String(required=True, validate=choice(Role))
    resident_id = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)


class KeyQuerySchema(Schema):
    resident_id = fields.String()
