"""Settlements kept for a community: create with costs and rules, preview, publish."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from prorata.application.access import fetch, require
from prorata.application.contract_result import result_json
from prorata.application.settlements import compute, create_settlement, publish
from prorata.domain.access.principal import Action
from prorata.domain.settlement.stored import Settlement
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.receipts import receipts_json
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window
from prorata.entrypoints.api.schemas import (
    ComputeInSchema,
    PublishedSchema,
    SettlementInSchema,
    SettlementResultSchema,
    SettlementSchema,
)

blp = ResourceBlueprint("settlements", __name__, url_prefix="/v1", description="Settlements of a community")


def settlement_json(settlement: Settlement) -> dict[str, Any]:
    return {
        "id": settlement.id,
        "community_id": settlement.community_id,
        "service": settlement.service.value,
        "period": {"from": settlement.period.start, "to": settlement.period.end},
        "status": settlement.status.value,
        "number": settlement.number,
        "published_at": settlement.published_at,
        "terms": settlement.terms,
        "corrections_pending": settlement.corrections_pending,
    }


def _body() -> object:
    return request.get_json(silent=True) if request.content_length else None


@blp.route("/settlements")
class Settlements(MethodView):
    @blp.response(200, SettlementSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            page = uow.settlements.list(caller.tenant_scope, **window(pagination_parameters))
        return [settlement_json(s) for s in paged(page, pagination_parameters)]

    @blp.arguments(SettlementInSchema)
    @blp.response(201, SettlementSchema)
    def post(self, _data: dict[str, Any]) -> dict[str, Any]:
        """A draft settlement: contract v1 terms (costs, shares, keys, estimation) for a community."""
        terms = dict(request.get_json())
        community_id = terms.pop("community_id")
        parts = components()
        with work() as uow:
            settlement = create_settlement(uow, parts.ids, principal(), community_id, terms)
        return settlement_json(settlement)


@blp.route("/settlements/<settlement_id>")
@blp.etag
@blp.response(200, SettlementSchema)
def get_settlement(settlement_id: str) -> dict[str, Any]:
    caller = principal()
    require(caller, Action.READ)
    with work() as uow:
        return settlement_json(fetch(uow.settlements, caller, settlement_id, "settlement"))


@blp.route("/settlements/<settlement_id>/preview", methods=["POST"])
@blp.arguments(ComputeInSchema)
@blp.response(200, SettlementResultSchema)
def preview(_data: dict[str, Any], settlement_id: str) -> dict[str, Any]:
    """The receipts the settlement would issue, from the stored readings or the readings sent."""
    with work() as uow:
        return result_json(compute(uow, principal(), settlement_id, _body()).result)


@blp.route("/settlements/<settlement_id>/publish", methods=["POST"])
@blp.arguments(ComputeInSchema)
@blp.response(201, PublishedSchema)
def publish_settlement(_data: dict[str, Any], settlement_id: str) -> dict[str, Any]:
    """Publish: one receipt per unit, issued atomically. Publishing twice is a 409."""
    parts = components()
    with work() as uow:
        settlement, receipts = publish(uow, parts.services, principal(), settlement_id, _body())
        return {"settlement": settlement_json(settlement), "receipts": receipts_json(uow, receipts)}
