"""Bank files over REST: a pain.002 status report or a camt.054 notification, uploaded as it came from the
bank, moves the receipts it reports on; the same file again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import jsonify, make_response, url_for
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import FileStorage

from prorata.application.bank_returns import bank_return, list_bank_returns, receive_bank_file
from prorata.domain.collection.bank_report import BankOutcome, UnreadableBankFile
from prorata.domain.collection.bank_return import BankReturn, BankReturnStatus
from prorata.domain.receipts.lifecycle import ReceiptStatus
from prorata.entrypoints.api.body_parser import EXAMPLE_FILE
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.errors import body
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window

blp = ResourceBlueprint(
    "bank_returns",
    __name__,
    url_prefix="/v1",
    description="Bank files (pain.002, camt.054): rejections, returns, refunds and booked collections",
)


class BankFileUploadSchema(Schema):
    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", EXAMPLE_FILE: "devoluciones.pain.002.xml"},
    )


class ReportedSchema(Schema):
    """A transaction (or a whole batch, without `end_to_end_id`) as the bank reported it."""

    end_to_end_id = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True, metadata={"description": "the remittance's MsgId"})
    payment_information_id = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "the bank's word: RJCT, BOOK, ACCP…"})
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in BankOutcome]))
    reason = fields.String(allow_none=True, metadata={"description": "the ISO 20022 reason code"})


class IgnoredSchema(ReportedSchema):
    receipt_id = fields.String(allow_none=True)
    why = fields.String(required=True)


class AppliedSchema(Schema):
    receipt_id = fields.String(required=True)
    end_to_end_id = fields.String(required=True)
    remittance_id = fields.String(required=True)
    outcome = fields.String(
        required=True,
        validate=validate.OneOf([ReceiptStatus.PAID.value, ReceiptStatus.RETURNED.value]),
        metadata={"description": "the receipt's status now"},
    )
    reason = fields.String(allow_none=True, metadata={"description": "the bank's reason code: AM04, MD06…"})
    on = fields.String(required=True, metadata={"format": "date", "description": "the day it happened"})


class BankReturnResultSchema(Schema):
    id = fields.String(required=True)
    format = fields.String(required=True, metadata={"example": "camt.054.001.02"})
    message_id = fields.String(allow_none=True, metadata={"description": "the bank file's own MsgId"})
    sha256 = fields.String(required=True)
    received_at = fields.String(required=True, metadata={"format": "date-time"})
    applied = fields.List(fields.Nested(AppliedSchema), required=True)
    unknown_ = fields.List(  # `unknown` is a Schema's own attribute
        fields.Nested(ReportedSchema),
        required=True,
        data_key="unknown",
        attribute="unknown",
        metadata={"description": "transactions of no remittance of this tenant's"},
    )
    ignored = fields.List(
        fields.Nested(IgnoredSchema),
        required=True,
        metadata={"description": "ours, but nothing to do (accepted, not booked, already done): why"},
    )


class BankReturnSchema(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    original_name = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in BankReturnStatus]))
    format = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    problem = fields.String(allow_none=True, metadata={"description": "why a refused file was refused"})
    result = fields.Nested(BankReturnResultSchema, allow_none=True)


def bank_return_json(record: BankReturn) -> dict[str, Any]:
    return {
        "id": record.id,
        "url": url_for("bank_returns.get_bank_return", bank_return_id=record.id),
        "original_name": record.original_name,
        "sha256": record.sha256,
        "size": record.size,
        "received_at": record.received_at,
        "status": record.status.value,
        "format": record.format,
        "message_id": record.message_id,
        "problem": record.problem,
        "result": record.result,
    }


@blp.route("/bank-returns")
class BankReturns(MethodView):
    @blp.response(200, BankReturnSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
        """Every bank file received, oldest first, refused ones too."""
        with work() as uow:
            page = list_bank_returns(uow, principal(), **window(pagination_parameters))
        return [bank_return_json(r) for r in paged(page, pagination_parameters)]

    @blp.arguments(BankFileUploadSchema, location="files")
    @blp.response(201, BankReturnResultSchema)
    @blp.alt_response(200, schema=BankReturnResultSchema, description="the same file again: its first answer")
    def post(self, files: dict[str, Any]) -> Any:
        """Upload a bank file as it came: a pain.002 status report (.001.03 to .001.14, .002.03,
        .003.03) or a camt.054 notification (.001.02 to .001.13). Each transaction is found by its
        EndToEndId (the receipt number) and message id, in this tenant's remittances only; its receipt
        moves to `returned` with the bank's reason code, or to `paid`. 422 `unreadable_bank_file` for
        anything else (not XML, truncated, a DTD or entities, another message or namespace, a camt.053
        statement), saying what it is: the file is kept all the same."""
        upload: FileStorage = files["file"]
        content = upload.read()
        parts = components()
        name = Path(upload.filename or "bank-file.xml").name
        with work() as uow:
            status, result = receive_bank_file(
                uow, parts.services, parts.collection, principal(), content, name
            )
        response = make_response(jsonify(result), status)
        response.headers["Location"] = url_for("bank_returns.get_bank_return", bank_return_id=result["id"])
        return response


@blp.route("/bank-returns/<bank_return_id>")
@blp.response(200, BankReturnSchema)
def get_bank_return(bank_return_id: str) -> dict[str, Any]:
    with work() as uow:
        return bank_return_json(bank_return(uow, principal(), bank_return_id))


@blp.errorhandler(UnreadableBankFile)
def unreadable(error: UnreadableBankFile) -> tuple[dict[str, Any], int]:
    return body(error.code, str(error), field="file"), 422
