"""SEPA direct-debit remittances over REST: a community's receipts sent to its bank for collection, the
pain.008 file to give the bank, and cancelling one before its date."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response, url_for
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields, validate

from prorata.application.idempotency import MAX_KEY
from prorata.application.remittances import (
    RemittanceRequest,
    cancel_remittance,
    create_remittance,
    list_remittances,
    remittance_file,
    remittance_with_items,
)
from prorata.domain.collection.remittance import (
    CollectionRefused,
    Exclusion,
    ItemOutcome,
    NothingToCollect,
    Remittance,
    RemittanceItem,
    RemittanceStatus,
    Scheme,
    SequenceType,
)
from prorata.domain.collection.sepa_file import PainVersion
from prorata.domain.community.iban import mask_iban
from prorata.domain.money import from_cents
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.errors import body
from prorata.entrypoints.api.receipt_events import idempotency_key
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window

blp = ResourceBlueprint(
    "remittances",
    __name__,
    url_prefix="/v1",
    description="SEPA direct-debit remittances: receipts sent to the community's bank for collection",
)
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY},
    "description": "The same request sent again with its key returns the first answer and sends nothing "
    "again; the key with another request is a 422 (idempotency_key_reused).",
}
# Refusals that are about the remittance's state, not the request's contents.
_CONFLICTS = {"remittance_not_open", "collection_date_reached", "remittance_cancelled"}
MAX_RECEIPTS = 10_000


def _values(kind: Any) -> validate.OneOf:
    return validate.OneOf([k.value for k in kind])


class RemittanceRequestSchema(Schema):
    collection_date = fields.Date(
        required=True,
        metadata={
            "description": "a TARGET2 business day, at least the community's prenotification_days ahead"
        },
    )
    receipt_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=36)),
        validate=validate.Length(min=1, max=MAX_RECEIPTS),
        metadata={
            "description": "the receipts to collect (issued, or returned to present again); none: "
            "every issued receipt of the community"
        },
    )
    scheme = fields.String(load_default=Scheme.CORE.value, validate=_values(Scheme))


class ExcludedSchema(Schema):
    receipt_id = fields.String(required=True)
    reason = fields.String(required=True, validate=_values(Exclusion))


class CreditorSchema(Schema):
    name = fields.String(required=True)
    iban = fields.String(required=True, metadata={"description": "the community's account"})
    bic = fields.String(allow_none=True)
    creditor_id = fields.String(required=True)


class RemittanceSchema(Schema):
    id = fields.String(required=True)
    community_id = fields.String(required=True)
    number = fields.Integer(required=True)
    status = fields.String(required=True, validate=_values(RemittanceStatus))
    scheme = fields.String(required=True, validate=_values(Scheme))
    collection_date = fields.Date(required=True)
    message_id = fields.String(required=True, metadata={"description": "the file's MsgId"})
    count = fields.Integer(required=True)
    total = fields.String(required=True, metadata={"example": "1000.00"})
    currency = fields.String(required=True)
    creditor = fields.Nested(CreditorSchema, required=True)
    excluded = fields.List(fields.Nested(ExcludedSchema), required=True)
    file_url = fields.String(required=True, metadata={"description": "its pain.008 file"})
    created_at = fields.DateTime(required=True)
    cancelled_at = fields.DateTime(allow_none=True)


class RemittanceItemSchema(Schema):
    receipt_id = fields.String(required=True)
    end_to_end_id = fields.String(required=True, metadata={"description": "the receipt's number"})
    amount = fields.String(required=True)
    sequence_type = fields.String(required=True, validate=_values(SequenceType))
    payer_name = fields.String(required=True)
    iban = fields.String(required=True, metadata={"description": "the payer's, masked"})
    mandate_id = fields.String(required=True)
    mandate_signed_on = fields.Date(required=True)
    at_bank = fields.Boolean(required=True, metadata={"description": "its outcome is still to come"})
    outcome = fields.String(allow_none=True, validate=_values(ItemOutcome))
    outcome_on = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "the bank's ISO 20022 reason code"})


class RemittanceDetailSchema(RemittanceSchema):
    items = fields.List(fields.Nested(RemittanceItemSchema), required=True)


class RemittanceQuerySchema(Schema):
    community_id = fields.String()
    status = fields.String(validate=_values(RemittanceStatus))


class FileQuerySchema(Schema):
    version = fields.String(
        load_default=PainVersion.V02.value,
        validate=_values(PainVersion),
        metadata={"description": "001.02 (Spanish banks' cuaderno 19.14 XML) or 001.08"},
    )


def remittance_json(remittance: Remittance) -> dict[str, Any]:
    creditor = remittance.creditor
    return {
        "id": remittance.id,
        "community_id": remittance.community_id,
        "number": remittance.number,
        "status": remittance.status.value,
        "scheme": remittance.scheme.value,
        "collection_date": remittance.collection_date,
        "message_id": remittance.message_id,
        "count": remittance.count,
        "total": format(from_cents(remittance.total_cents), "f"),
        "currency": remittance.currency,
        "creditor": {
            "name": creditor.name,
            "iban": creditor.iban,
            "bic": creditor.bic,
            "creditor_id": creditor.creditor_id,
        },
        "excluded": [{"receipt_id": e.receipt_id, "reason": e.reason.value} for e in remittance.excluded],
        "file_url": url_for("remittances.get_remittance_file", remittance_id=remittance.id),
        "created_at": remittance.created_at,
        "cancelled_at": remittance.cancelled_at,
    }


def item_json(item: RemittanceItem) -> dict[str, Any]:
    return {
        "receipt_id": item.receipt_id,
        "end_to_end_id": item.end_to_end_id,
        "amount": format(from_cents(item.amount_cents), "f"),
        "sequence_type": item.sequence_type.value,
        "payer_name": item.payer_name,
        "iban": mask_iban(item.payer_iban),
        "mandate_id": item.mandate_id,
        "mandate_signed_on": item.mandate_signed_on,
        "at_bank": bool(item.open),
        "outcome": None if item.outcome is None else item.outcome.value,
        "outcome_on": item.outcome_on,
        "reason": item.reason,
    }


def answered(remittance: Remittance) -> dict[str, Any]:
    """The remittance as GET lists it, in JSON's own types: kept as it is for replays."""
    dumped: dict[str, Any] = RemittanceSchema().dump(remittance_json(remittance))
    return dumped


@blp.route("/communities/<community_id>/remittances")
class CommunityRemittances(MethodView):
    @blp.arguments(RemittanceRequestSchema)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    @blp.response(201, RemittanceSchema)
    def post(self, data: dict[str, Any], community_id: str) -> Any:
        """Send the community's receipts to its bank for collection on `collection_date`: each receipt
        that can be collected moves to `in_collection`; the others are listed in `excluded`, with why.
        422 when none can (`nothing_to_collect`, with `excluded`), the date is refused
        (`invalid_collection_date`) or the community lacks what a creditor needs
        (`creditor_incomplete`)."""
        ids = data.get("receipt_ids")
        asked = RemittanceRequest(
            data["collection_date"], None if ids is None else tuple(ids), Scheme(data["scheme"])
        )
        parts = components()
        with work() as uow:
            status, answer = create_remittance(
                uow, parts.services, parts.collection, principal(), community_id, asked,
                idempotency_key(), answered,
            )  # fmt: skip
        response = make_response(jsonify(answer), status)
        response.headers["Location"] = url_for("remittances.RemittanceById", remittance_id=answer["id"])
        return response


@blp.route("/remittances")
@blp.arguments(RemittanceQuerySchema, location="query")
@blp.response(200, RemittanceSchema(many=True))
@blp.paginate()
def get_remittances(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[Any]:
    with work() as uow:
        page = list_remittances(uow, principal(), **query, **window(pagination_parameters))
    return [remittance_json(r) for r in paged(page, pagination_parameters)]


@blp.route("/remittances/<remittance_id>")
class RemittanceById(MethodView):
    @blp.response(200, RemittanceDetailSchema)
    def get(self, remittance_id: str) -> dict[str, Any]:
        """The remittance with each of its transactions and its outcome so far."""
        with work() as uow:
            remittance, items = remittance_with_items(uow, principal(), remittance_id)
        return {**remittance_json(remittance), "items": [item_json(i) for i in items]}


@blp.route("/remittances/<remittance_id>/pain.008.xml")
@blp.arguments(FileQuerySchema, location="query")
@blp.response(200, description="the pain.008 file to give the bank", content_type="application/xml")
def get_remittance_file(query: dict[str, Any], remittance_id: str) -> Response:
    """The remittance's SEPA direct-debit file, valid against its XSD: pain.008.001.02 unless
    `?version=001.08`. Every download is the same file. 409 `remittance_cancelled` once it is
    cancelled: that file must not reach the bank."""
    version = PainVersion(query["version"])
    parts = components()
    with work() as uow:
        remittance, content = remittance_file(uow, parts.collection, principal(), remittance_id, version)
    name = f"{remittance.message_id}.pain.008.{version.value}.xml"
    return Response(
        content,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blp.route("/remittances/<remittance_id>/cancel", methods=["POST"])
@blp.response(200, RemittanceSchema)
def post_cancel(remittance_id: str) -> dict[str, Any]:
    """Cancel the remittance before its collection date: its receipts go back to `issued`; a cancelled
    one again: 200, nothing changes. 409 when it is closed (`remittance_not_open`) or its date has come
    (`collection_date_reached`)."""
    parts = components()
    with work() as uow:
        cancelled = cancel_remittance(uow, parts.services, principal(), remittance_id)
    return remittance_json(cancelled)


@blp.errorhandler(CollectionRefused)
def refused(error: CollectionRefused) -> tuple[dict[str, Any], int]:
    where: dict[str, Any] = {} if error.field is None else {"field": error.field}
    if isinstance(error, NothingToCollect):
        where["excluded"] = [{"receipt_id": e.receipt_id, "reason": e.reason.value} for e in error.excluded]
    return body(error.code, str(error), **where), 409 if error.code in _CONFLICTS else 422
