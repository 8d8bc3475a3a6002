"""POST /v1/simulations gives the CLI's cents and the contract's error codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api_client import Caller

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"


def test_answers_the_contract_json_as_the_cli_does(manager: Caller) -> None:
    request = json.loads((SAMPLES / "settlement-heating.json").read_text(encoding="utf-8"))
    for unit, consumption in zip(
        request["units"],
        ["176.5", "118.7", "192.35", "160.4", "111.45", "183.5", "163.5", "112.2", "389.45"],
        strict=True,
    ):
        unit["readings"] = [{"meter": f"M-{unit['unit']}", "consumption": consumption}]
    response = manager.post("/v1/simulations", request)
    assert response.status_code == 200, response.get_json()
    totals = {r["unit"]: r["total"] for r in response.get_json()["receipts"]}
    assert (totals["Bajo A"], totals["Ático"], response.get_json()["total"]) == (
        "831.60",
        "1710.87",
        "7810.18",
    )


def test_reports_every_error_with_the_contract_codes(manager: Caller) -> None:
    request = {
        "costs": [{"concept": "Heat", "amount": "100.00"}],
        "units": [
            {"unit": "A", "coefficient": "1", "readings": [{"meter": "M", "previous": "9", "current": "1"}]},
            {"unit": "B", "coefficient": "1"},
        ],
    }
    response = manager.post("/v1/simulations", request)
    assert response.status_code == 422
    assert sorted(e["code"] for e in response.get_json()["errors"]) == [
        "missing_reading",
        "negative_consumption",
    ]
    unknown = manager.post("/v1/simulations", {**request, "extra": True})
    assert unknown.get_json()["errors"] == [
        {
            "code": "invalid_request",
            "field": "extra",
            "message": "extra is not a field of this object (allowed: consumption_share, costs, currency, "
            "estimation, fixed_key, period, service, units)",
        }
    ]
