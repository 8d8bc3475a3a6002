"""/openapi.json says what the server enforces: a client generated from it sends what is accepted, and
what it is told is refused is refused (schemathesis checks the same from the other side)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.api_client import Caller


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    document: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    return document


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def test_decimals_are_patterned_strings_that_say_where_a_sign_is_allowed(spec: dict[str, Any]) -> None:
    coefficient = schema(spec, "Unit")["properties"]["coefficient"]
    assert coefficient["type"] == "string"
    assert re.fullmatch(coefficient["pattern"], "12.50")
    assert not re.fullmatch(coefficient["pattern"], "-1")
    rollover = schema(spec, "Meter")["properties"]["rollover"]
    assert not re.fullmatch(rollover["pattern"], "0.000")
    assert re.fullmatch(rollover["pattern"], "0.001")
    value = schema(spec, "Reading")["properties"]["value"]
    assert re.fullmatch(value["pattern"], "-3.5")
    amount = schema(spec, "Cost")["properties"]["amount"]
    assert re.fullmatch(amount["pattern"], "12.500")
    assert not re.fullmatch(amount["pattern"], "12.505")
    share = schema(spec, "SettlementIn")["properties"]["consumption_share"]
    assert re.fullmatch(share["pattern"], "0.70")
    assert not re.fullmatch(share["pattern"], "1.5")


@pytest.mark.parametrize(
    ("component", "field", "values"),
    [
        ("Settlement", "status", {"draft", "published"}),
        ("Settlement", "service", {"heating", "hot_water", "cold_water", "gas", "electricity", "other"}),
        ("Receipt", "status", {"issued", "in_collection", "paid", "returned", "cancelled", "superseded"}),
        ("ReportedEvent", "type", {"presented", "paid", "returned", "represented", "cancelled"}),
        ("Key", "role", {"integration", "manager", "support", "resident"}),
        ("Import", "source", {"sftp", "upload", "api"}),
        ("Cost", "fixed_key", {"coefficient", "area", "equal"}),
    ],
)
def test_closed_sets_of_values_are_enums(
    spec: dict[str, Any], component: str, field: str, values: set[str]
) -> None:
    assert set(schema(spec, component)["properties"][field]["enum"]) == values


def test_a_simulation_request_is_documented_as_the_contract_reads_it(spec: dict[str, Any]) -> None:
    body = spec["paths"]["/v1/simulations"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    request = schema(spec, body["$ref"].rsplit("/", 1)[-1])
    assert set(request["required"]) == {"costs", "units"}
    assert request["properties"]["costs"]["minItems"] == 1
    assert request["additionalProperties"] is False


def test_a_mapping_names_its_fields_and_requires_the_unit(spec: dict[str, Any], manager: Caller) -> None:
    mapping = schema(spec, "Mapping")
    assert mapping["required"] == ["unit"]
    assert mapping["additionalProperties"] is False
    assert {"unit", "meter", "previous", "current"} <= set(mapping["properties"])
    refused = manager.post("/v1/mapping-profiles", {"name": "p", "mapping": {"meter": "Cont."}})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "mapping.unit"
    unknown = manager.post("/v1/mapping-profiles", {"name": "p", "mapping": {"unit": "Piso", "floor": "P"}})
    assert unknown.get_json()["errors"][0]["field"] == "mapping.floor"


def test_what_the_documented_patterns_refuse_the_server_refuses(
    manager: Caller, community: dict[str, Any]
) -> None:
    negative = manager.post(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "-0"})
    assert negative.status_code == 422
    assert negative.get_json()["errors"][0]["field"] == "coefficient"


def test_an_email_longer_than_it_can_be_kept_is_refused_not_a_server_error(manager: Caller) -> None:
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 5) + ".example"
    response = manager.post("/v1/residents", {"name": "Rosa Díaz", "email": email})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == "email"


@pytest.mark.parametrize(
    ("form", "name"),
    [({"community_id": "C\x00"}, "lecturas.csv"), ({}, "lect\x00uras.csv")],
    ids=["form field", "file name"],
)
def test_nul_in_an_upload_form_is_refused_not_a_server_error(
    manager: Caller, form: dict[str, str], name: str
) -> None:
    response = manager.upload("/v1/imports", b"Piso;Lectura\r\n1A;3\r\n", name, **form)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["code"] == "invalid_request"


def test_an_empty_list_the_schema_refuses_is_refused_in_the_contract_s_words(
    manager: Caller, community: dict[str, Any]
) -> None:
    terms = {"service": "heating", "period": {"from": "2026-01-01", "to": "2026-03-31"}}
    no_costs = manager.post("/v1/settlements", {"community_id": community["id"], **terms, "costs": []})
    assert no_costs.get_json()["errors"] == [
        {"code": "invalid_request", "field": "costs", "message": "costs must hold at least one cost line"}
    ]
    costs = [{"concept": "Gas", "amount": "100.00"}]
    settlement = manager.created(
        "/v1/settlements", {"community_id": community["id"], **terms, "costs": costs}
    )
    no_readings = manager.post(f"/v1/settlements/{settlement['id']}/preview", {"readings": []})
    assert no_readings.get_json()["errors"] == [
        {"code": "invalid_request", "field": "readings", "message": "readings must hold at least one reading"}
    ]


def test_an_id_in_the_body_that_is_not_there_names_its_field_and_where_ids_are_listed(
    manager: Caller,
) -> None:
    """Found trying the demo: another tenant's community in a POST body got a bare `no community …`."""
    terms = {"service": "heating", "period": {"from": "2026-01-01", "to": "2026-03-31"}}
    costs = [{"concept": "Gas", "amount": "100.00"}]
    missing = "0190f0f0-0000-7000-8000-000000000000"
    answer = manager.post("/v1/settlements", {"community_id": missing, **terms, "costs": costs})
    assert answer.status_code == 404
    [error] = answer.get_json()["errors"]
    assert error["field"] == "community_id"
    assert error["message"].startswith(f"no community {missing}")
    assert "GET /v1/communities lists those you may see" in error["message"]
