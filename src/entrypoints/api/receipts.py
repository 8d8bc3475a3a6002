"""Receipts with their whole calculation; a resident reaches only their own units' receipts."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from prorata.application.access import fetch, require
from prorata.application.errors import NotFound
from prorata.domain.access.principal import Action, Principal, Role
from prorata.domain.money import from_cents
from prorata.domain.ports.unit_of_work import UnitOfWork
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


def _own_units(uow: UnitOfWork, caller: Principal) -> list[str] | None:
    """The units whose receipts the caller may read: a resident's own, or None for any of the tenant's."""
    if caller.role is not Role.RESIDENT:
        require(caller, Action.READ)
        return None
    assert caller.resident_id is not None
    resident = fetch(uow.residents, caller, caller.resident_id, "resident")
    return [o.unit_id for o in resident.occupancies]


@blp.route("/receipts")
@blp.arguments(ReceiptQuerySchema, location="query")
@blp.response(200, ReceiptSchema(many=True))
@blp.paginate()
def list_receipts(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    caller = principal()
    with work() as uow:
        units = _own_units(uow, caller)
        where: dict[str, Any] = dict(query)
        if units is not None:
            asked = where.get("unit_id")
            where["unit_id"] = [u for u in units if asked in (None, u)]
        page = uow.receipts.list(caller.tenant_scope, **where, **window(pagination_parameters))
    return [receipt_json(r) for r in paged(page, pagination_parameters)]


@blp.route("/receipts/<receipt_id>")
@blp.etag
@blp.response(200, ReceiptSchema)
def get_receipt(receipt_id: str) -> dict[str, Any]:
    caller = principal()
    with work() as uow:
        units = _own_units(uow, caller)
        receipt = fetch(uow.receipts, caller, receipt_id, "receipt")
        if units is not None and receipt.unit_id not in units:
            raise NotFound(f"no receipt {receipt_id}")
    return receipt_json(receipt)
