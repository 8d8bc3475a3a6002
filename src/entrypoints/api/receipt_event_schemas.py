"""Bodies of a receipt's lifecycle: its history entries, and a move reported by a management system."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from prorata.domain.receipts.catalogue import LANGUAGES, Catalogue
from prorata.domain.receipts.lifecycle import MAX_NOTE, REPORTED, EventType, ReceiptEvent, ReceiptStatus
from prorata.entrypoints.api.schemas import ReceiptSchema

REASON_PATTERN = r"^[A-Za-z0-9]{4}$"


class ReasonTextSchema(Schema):
    """A bank's reason code in plain words, and what the resident can do, as the PDF says them."""

    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    meaning = fields.String(required=True)
    todo = fields.String(required=True)


class HistoryQuerySchema(Schema):
    lang = fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "the language of `reason_text`; else the resident's own, else es"},
    )


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
    reason_text = fields.Nested(
        ReasonTextSchema,
        allow_none=True,
        metadata={
            "description": "the reason in plain words and what the resident can do, in the language "
            "asked for (`lang`), else the resident's own (with her key), else es; a code without words "
            "of its own is said in general words"
        },
    )
    note = fields.String(allow_none=True, metadata={"description": "as kept (prorata's own in English)"})
    note_text = fields.String(
        allow_none=True,
        metadata={
            "description": "the note in the language of `reason_text` when prorata wrote it (a remittance, "
            "its cancellation, a bank file); a note someone else wrote, as written"
        },
    )
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


def event_json(entry: ReceiptEvent, words: Catalogue | None = None) -> dict[str, Any]:
    """The entry; with `words`, its reason and note in that catalogue's language."""
    explained = None if words is None or entry.reason is None else words.reason(entry.reason)
    return {
        "id": entry.id,
        "seq": entry.seq,
        "type": entry.type.value,
        "on": entry.on,
        "status": entry.status.value,
        "actor": entry.actor,
        "reason": entry.reason,
        "reason_text": None
        if explained is None or words is None
        else {"language": words.language, "meaning": explained.meaning, "todo": explained.todo},
        "note": entry.note,
        "note_text": None if words is None or entry.note is None else words.note(entry.note),
        "recorded_at": entry.recorded_at,
    }
