"""A receipt's lifecycle over REST: its history, and the moves a management system reports from its
bank (presented for collection, paid, returned with the bank's reason, presented again, cancelled)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, make_response, request
from flask.views import MethodView

from prorata.application.idempotency import MAX_KEY
from prorata.application.me import me
from prorata.application.receipt_events import Report, receipt_history, report_move
from prorata.domain.access.principal import Role
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.catalogue import catalogue, language_of
from prorata.domain.receipts.lifecycle import EventType
from prorata.domain.receipts.receipt import IssuedReceipt
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.errors import invalid
from prorata.entrypoints.api.receipt_event_schemas import (
    HistoryQuerySchema,
    ReceiptEventSchema,
    ReportedEventSchema,
    event_json,
)
from prorata.entrypoints.api.receipts import receipt_json
from prorata.entrypoints.api.resources import ResourceBlueprint
from prorata.entrypoints.api.schemas import ReceiptSchema

blp = ResourceBlueprint(
    "receipt_events",
    __name__,
    url_prefix="/v1",
    description="A receipt's lifecycle: its history, and what happened at the bank",
)

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY},
    "description": "The same move sent again with its key returns the first answer and moves nothing; "
    "the key with another move is a 422 (idempotency_key_reused).",
}


@blp.route("/receipts/<receipt_id>/events")
class ReceiptEvents(MethodView):
    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, ReceiptEventSchema(many=True))
    def get(self, query: dict[str, Any], receipt_id: str) -> list[dict[str, Any]]:
        """The receipt's history, oldest first: its issue, then every move; a bank's reason in plain
        words too (`reason_text`)."""
        caller = principal()
        with work() as uow:
            own = me(uow, caller).language.value if caller.role is Role.RESIDENT else None
            words = catalogue(language_of(query.get("lang"), own))
            return [event_json(e, words) for e in receipt_history(uow, caller, receipt_id)]

    @blp.arguments(ReportedEventSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    @blp.response(201, ReceiptSchema)
    def post(self, data: dict[str, Any], receipt_id: str) -> Any:
        """Report what happened to the receipt: 201 with the receipt as it now is. A move its status
        does not allow is a 409 `invalid_transition` naming the current `status`."""
        report = Report(EventType(data["type"]), data["on"], data.get("reason"), data.get("note"))
        with work() as uow:
            status, body = report_move(
                uow,
                components().services,
                principal(),
                receipt_id,
                report,
                idempotency_key(),
                lambda receipt: answered(uow, receipt),
            )
        return make_response(jsonify(body), status)


def answered(uow: UnitOfWork, receipt: IssuedReceipt) -> dict[str, Any]:
    """The receipt as GET shows it, read in the move's own transaction, in JSON's own types: kept as it
    is for replays."""
    dumped: dict[str, Any] = ReceiptSchema().dump(receipt_json(receipt, uow))
    return dumped


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > MAX_KEY:
        raise invalid(f"Idempotency-Key is longer than {MAX_KEY} characters", "Idempotency-Key")
    return key
