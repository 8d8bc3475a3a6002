"""Bodies of a receipt's lifecycle: its history entries, and a move reported by a management system."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from prorata.domain.receipts.lifecycle import MAX_NOTE, REPORTED, EventType, ReceiptEvent, ReceiptStatus
from prorata.entrypoints.api.schemas import ReceiptSchema

REASON_PATTERN = r"^[A-Za-z0-9]{4}$"


class ReceiptEventSchema(Schema):
    """One entry of a receipt's history."""

    id = fields.String(required=True)
    seq = fields.Integer(required=True, metadata={"description": "1 for the issue, then one more a move"})
    type = fields.String(required=True, validate=validate.OneOf([e.value for e in EventType]))
    on = fields.Date(required=True, metadata={"description": "the day it happened"})
    status = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in ReceiptStatus]),
        metadata={"description": "the receipt's status after it"},
    )
    actor = fields.String(
        required=True,
        metadata={"description": "who reported it: a role (manager, integration), or prorata itself"},
    )
    reason = fields.String(allow_none=True, metadata={"description": "the bank's ISO 20022 reason code"})
    note = fields.String(allow_none=True)
    recorded_at = fields.DateTime(required=True, metadata={"description": "when prorata recorded it"})


class ReportedEventSchema(Schema):
    """A move a management system reports: `presented` (sent to the bank for collection), `paid`,
    `returned` (with the bank's reason code), `represented` (presented again after a return),
    `cancelled`."""

    type = fields.String(required=True, validate=validate.OneOf([e.value for e in REPORTED]))
    on = fields.Date(
        required=True,
        metadata={"description": "the day it happened: not before the last move, nor in the future"},
    )
    reason = fields.String(
        allow_none=True,
        validate=validate.Regexp(REASON_PATTERN, error="must be an ISO 20022 reason code such as AM04"),
        metadata={"description": "the bank's ISO 20022 reason code (AC04, AM04, MD06, MS02, …)"},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=MAX_NOTE))


class ReceiptWithHistorySchema(ReceiptSchema):
    history = fields.List(
        fields.Nested(ReceiptEventSchema), required=True, metadata={"description": "oldest first"}
    )


def event_json(entry: ReceiptEvent) -> dict[str, Any]:
    return {
        "id": entry.id,
        "seq": entry.seq,
        "type": entry.type.value,
        "on": entry.on,
        "status": entry.status.value,
        "actor": entry.actor,
        "reason": entry.reason,
        "note": entry.note,
        "recorded_at": entry.recorded_at,
    }
