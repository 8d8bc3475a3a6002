"""Receipts with their whole calculation; a resident reaches only the receipts of the units she held, for
the periods she held them."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from prorata.application.receipts import readable_receipt, readable_receipts
from prorata.domain.money import from_cents
from prorata.domain.settlement.stored import IssuedReceipt
from prorata.entrypoints.api.context import principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window
from prorata.entrypoints.api.schemas import ReceiptQuerySchema, ReceiptSchema

blp = ResourceBlueprint(
    "receipts", __name__, url_prefix="/v1", description="Receipts of published settlements"
)


def receipt_json(receipt: IssuedReceipt) -> dict[str, Any]:
    return {
        "id": receipt.id,
        "number": receipt.number,
        "settlement_id": receipt.settlement_id,
        "unit_id": receipt.unit_id,
        "status": receipt.status.value,
        "currency": receipt.currency,
        "total": format(from_cents(receipt.total_cents), "f"),
        "detail": receipt.detail,
    }


@blp.route("/receipts")
@blp.arguments(ReceiptQuerySchema, location="query")
@blp.response(200, ReceiptSchema(many=True))
@blp.paginate()
def list_receipts(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    with work() as uow:
        page = readable_receipts(uow, principal(), **query, **window(pagination_parameters))
    return [receipt_json(r) for r in paged(page, pagination_parameters)]


@blp.route("/receipts/<receipt_id>")
@blp.etag
@blp.response(200, ReceiptSchema)
def get_receipt(receipt_id: str) -> dict[str, Any]:
    with work() as uow:
        receipt = readable_receipt(uow, principal(), receipt_id)
    return receipt_json(receipt)
