"""Bodies of the import endpoints."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from prorata.domain.imports.model import CHANGE_KINDS, ImportSource, ImportStatus
from prorata.domain.readings.headers import Field
from prorata.domain.settlement.request import Service
from prorata.domain.settlement.stored import SettlementStatus


class UploadSchema(Schema):
    community_id = fields.String(
        metadata={"description": "the community the file is for, if it has no community column"}
    )
    mapping_profile_id = fields.String(metadata={"description": "the mapping profile to read it with"})

    class Files(Schema):
        file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RowsSchema(Schema):
    total = fields.Integer(required=True)
    processed = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class ImportSettlementSchema(Schema):
    id = fields.String(required=True)
    community_id = fields.String(required=True)
    service = fields.String(required=True, validate=validate.OneOf([s.value for s in Service]))
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in SettlementStatus]))
    supersedes = fields.String(allow_none=True)


# What a settled import changed in the registry: a count of each kind of change.
ChangesSchema = Schema.from_dict(
    {kind: fields.Integer(required=True) for kind in CHANGE_KINDS}, name="Changes"
)


class ImportSchema(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    tenant_id = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf([s.value for s in ImportSource]))
    original_name = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ImportStatus]))
    progress = fields.Integer(
        required=True,
        metadata={"description": "percent done, by stage: 0 received, 10 parsing, 50 validated, 100 ended"},
    )
    reason = fields.String(allow_none=True)
    community_id = fields.String(allow_none=True)
    mapping_profile_id = fields.String(allow_none=True)
    received_at = fields.DateTime(required=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer(required=True)
    generation = fields.Integer(
        required=True, metadata={"description": "how many times support reprocessed it"}
    )
    rows = fields.Nested(RowsSchema, required=True)
    errors = fields.Integer(
        required=True,
        metadata={"description": "problems found (a row may have several; rows.rejected counts rows)"},
    )
    changes = fields.Nested(
        ChangesSchema,
        allow_none=True,
        metadata={
            "description": "what a settled import changed in the registry; null until then and when failed"
        },
    )
    settlements = fields.List(fields.Nested(ImportSettlementSchema))


class ImportQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in ImportStatus]))
    community_id = fields.String()
    # A moment without its time zone is UTC, as every time this API answers with (a naive one used to
    # reach the database and fail there: a 500).
    received_from = fields.AwareDateTime(default_timezone=UTC)
    received_to = fields.AwareDateTime(default_timezone=UTC)
    tenant_id = fields.String(metadata={"description": "support only (/v1/admin/imports)"})


class RowErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    row = fields.Integer()
    column = fields.String()
    unit = fields.String()
    meter = fields.String()


def _header(field: Field) -> fields.String:
    """The header of the column that holds `field`; a mapping names at least the unit's."""
    required = field is Field.UNIT
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=200),
        error_messages={"required": "a mapping names at least the unit column"} if required else None,
    )


# Field -> the header that holds it: the fields are the keys a mapping may use, and no other.
MappingSchema = Schema.from_dict({field.value: _header(field) for field in Field}, name="Mapping")


class MappingProfileSchema(Schema):
    id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    mapping = fields.Nested(
        MappingSchema,
        required=True,
        metadata={
            "example": {"unit": "Ref. Piso", "meter": "Num. Cont.", "previous": "L.Ant", "current": "L.Act"}
        },
    )


class ReprocessSchema(Schema):
    community_id = fields.String()
    mapping_profile_id = fields.String()


class RetrySchema(Schema):
    community_id = fields.String(
        metadata={"description": "the community, when the file has no community column"}
    )
    mapping_profile_id = fields.String(
        metadata={"description": "a mapping profile for a layout no synonym knows"}
    )
