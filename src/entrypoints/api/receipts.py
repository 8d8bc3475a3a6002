"""Receipts with their whole calculation and what they are — community, unit, payer, service, period,
dates, status; a resident reaches only the receipts of the units she held, for the periods she held them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest.pagination import PaginationParameters

from prorata.application.receipt_facts import receipt_facts
from prorata.application.receipts import readable_receipt, readable_receipts
from prorata.domain.money import from_cents
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.document import masked_iban
from prorata.domain.receipts.facts import ReceiptFacts
from prorata.domain.settlement.stored import IssuedReceipt
from prorata.entrypoints.api.context import principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window
from prorata.entrypoints.api.schemas import ReceiptQuerySchema, ReceiptSchema

blp = ResourceBlueprint(
    "receipts", __name__, url_prefix="/v1", description="Receipts of published settlements"
)


def receipt_json(receipt: IssuedReceipt | ReceiptFacts, uow: UnitOfWork | None = None) -> dict[str, Any]:
    """A receipt as ReceiptSchema dumps it, from its facts; a bare receipt's facts are gathered through
    `uow` (else a unit of work of the caller's own). For many receipts, `receipts_json` gathers the facts
    of all of them at once."""
    if isinstance(receipt, ReceiptFacts):
        return _json(receipt)
    if uow is None:
        with work() as own:
            return receipts_json(own, [receipt])[0]
    return receipts_json(uow, [receipt])[0]


def _json(facts: ReceiptFacts) -> dict[str, Any]:
    receipt, settlement, community, unit, payer = (
        facts.receipt, facts.settlement, facts.community, facts.unit, facts.payer,
    )  # fmt: skip
    return {
        "id": receipt.id,
        "number": receipt.number,
        "settlement_id": receipt.settlement_id,
        "unit_id": receipt.unit_id,
        "community": {
            "code": community.code,
            "name": community.name,
            "address": community.address,
            "tax_id": community.tax_id,
        },
        "unit": {
            "id": unit.id,
            "code": unit.code,
            "kind": unit.kind.value,
            "coefficient": unit.coefficient,
            "area": unit.area,
        },
        "payer": None if payer is None else {"name": payer.name, "iban": masked_iban(payer.iban)},
        "service": settlement.service.value,
        "period": {"from": settlement.period.start, "to": settlement.period.end},
        "issued_on": receipt.issued_on,
        "due_on": receipt.due_on,
        "status": receipt.status.value,
        "status_on": receipt.status_on,
        "currency": receipt.currency,
        "total": format(from_cents(receipt.total_cents), "f"),
        "detail": receipt.detail,
    }


def receipts_json(uow: UnitOfWork, receipts: Sequence[IssuedReceipt]) -> list[dict[str, Any]]:
    """The receipts as ReceiptSchema dumps them, their facts gathered in a few queries for them all."""
    return [_json(facts) for facts in receipt_facts(uow, receipts)]


@blp.route("/receipts")
@blp.arguments(ReceiptQuerySchema, location="query")
@blp.response(200, ReceiptSchema(many=True))
@blp.paginate()
def list_receipts(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    with work() as uow:
        page = readable_receipts(uow, principal(), **query, **window(pagination_parameters))
        return receipts_json(uow, paged(page, pagination_parameters))


@blp.route("/receipts/<receipt_id>")
@blp.etag
@blp.response(200, ReceiptSchema)
def get_receipt(receipt_id: str) -> dict[str, Any]:
    with work() as uow:
        receipt = readable_receipt(uow, principal(), receipt_id)
        return receipts_json(uow, [receipt])[0]
