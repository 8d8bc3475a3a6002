"""POST /v1/simulations: the CLI's `prorata simulate` over HTTP, contract v1 in and out."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from prorata.application.access import require
from prorata.application.collector import collector_paused
from prorata.application.contract_result import result_json_bytes
from prorata.application.json_text import read_json
from prorata.application.simulate import simulate
from prorata.domain.access.principal import Action
from prorata.entrypoints.api.body_parser import SEND_JSON, not_json, sent_as
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
    data = _settlement_request()
    if data is None:
        raise invalid(_why_no_request(), "(request)")
    result = simulate(data, components().spreadsheet_reader)
    # The contract's JSON written by orjson straight from the result's columns, past the schema's dump and
    # Flask's encoder: for 50,000 units (27 MB) that took longer than the settlement.
    with collector_paused():
        body = b"".join(result_json_bytes(result))
    return Response(body, mimetype="application/json")


def _settlement_request() -> object:
    """The body's JSON (None when it is not JSON), read as `prorata simulate` reads its request file."""
    if not request.is_json:
        return None
    try:
        return read_json(request.get_data(cache=True), "the body", forbid_nul=True)
    except (ValueError, UnicodeDecodeError):
        return None


def _why_no_request() -> str:
    """Why the body holds no settlement request: none sent, sent as another type, or not JSON."""
    sent = request.get_data(cache=True)
    if not sent:
        return f"the request has no body: {SEND_JSON}, a settlement request (costs and units)"
    if not request.is_json:
        return f"the body came {sent_as(request.mimetype)}: {SEND_JSON}"
    try:
        json.loads(sent)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return not_json(error)
    return "the body must be a JSON settlement request"
