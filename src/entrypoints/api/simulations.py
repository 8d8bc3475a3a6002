"""POST /v1/simulations: the CLI's `prorata simulate` over HTTP, contract v1 in and out."""

from __future__ import annotations

from typing import Any

from flask import request

from prorata.application.access import require
from prorata.application.contract_result import result_json
from prorata.application.simulate import simulate
from prorata.domain.access.principal import Action
from prorata.entrypoints.api.context import components, principal
from prorata.entrypoints.api.contract_schemas import SettlementRequestSchema
from prorata.entrypoints.api.errors import invalid
from prorata.entrypoints.api.resources import ResourceBlueprint
from prorata.entrypoints.api.schemas import SettlementResultSchema

blp = ResourceBlueprint(
    "simulations", __name__, url_prefix="/v1", description="Settlements computed, not kept"
)

_REQUEST_DOC = {
    "description": "A settlement request (contract v1): costs, rules and units with their readings.",
    "required": True,
    # Documented, not loaded: the contract's own reader parses the body, as `prorata simulate` does.
    "content": {"application/json": {"schema": SettlementRequestSchema}},
}


@blp.route("/simulations", methods=["POST"])
@blp.doc(requestBody=_REQUEST_DOC)
@blp.response(200, SettlementResultSchema)
def simulate_settlement() -> Any:
    """Prorate a settlement request exactly as `prorata simulate` does: 200 with the receipts, or 422
    with every error and the contract's codes."""
    require(principal(), Action.SIMULATE)
    data = request.get_json(silent=True)
    if data is None:
        raise invalid("the body must be a JSON settlement request", "(request)")
    return result_json(simulate(data, components().spreadsheet_reader))
