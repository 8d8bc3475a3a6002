"""What every API client relies on: the community contract, one error format, ETags, limits, paging."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from tests.api_client import Caller


def test_creates_and_reads_a_community_as_other_tools_expect(manager: Caller) -> None:
    created = manager.post("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["id"]
    assert (body["code"], body["name"]) == ("C0012", "CP Calle Mayor 12")
    fetched = manager.get(f"/v1/communities/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == body


def test_a_duplicate_code_is_a_conflict(manager: Caller, community: dict[str, Any]) -> None:
    again = manager.post("/v1/communities", {"code": community["code"], "name": "Otra"})
    assert again.status_code == 409
    assert again.get_json()["errors"][0]["code"] == "conflict"


def test_unknown_fields_and_floats_are_refused_with_the_field_named(
    manager: Caller, community: dict[str, Any]
) -> None:
    unknown = manager.post("/v1/communities", {"code": "X1", "name": "X", "colour": "red"})
    assert unknown.status_code == 422
    [problem] = unknown.get_json()["errors"]
    assert (problem["code"], problem["field"]) == ("invalid_request", "colour")
    # Which fields the object takes, as the settlement contract says it: what to send instead.
    prefix, allowed = problem["message"].split(" (allowed: ")
    assert prefix == "colour is not a field of this object"
    assert {"code", "name", "iban", "due_days"} <= set(allowed.rstrip(")").split(", "))
    assert "id" not in allowed.rstrip(")").split(", ")  # given by the API, never sent
    nested = manager.post("/v1/residents", {"name": "Ana", "units": [{"unitid": "x"}]})
    assert nested.status_code == 422
    assert {
        "code": "invalid_request",
        "message": "units[0].unitid is not a field of this object (allowed: role, since, unit_id, until)",
        "field": "units[0].unitid",
    } in nested.get_json()["errors"]
    floating = manager.post(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": 8.5})
    assert floating.status_code == 422
    assert floating.get_json()["errors"][0]["field"] == "coefficient"


def test_errors_share_one_format_and_leak_no_trace(manager: Caller) -> None:
    for response, status in (
        (manager.get("/v1/nowhere"), 404),
        (manager.get("/v1/communities/does-not-exist"), 404),
        (manager.call("PUT", "/v1/communities"), 405),
        (
            manager.client.post(
                "/v1/communities",
                data="{",
                headers={"Authorization": f"Bearer {manager.key}", "Content-Type": "application/json"},
            ),
            400,
        ),
    ):
        assert response.status_code == status
        errors = response.get_json()["errors"]
        assert errors
        assert all(e["code"] and e["message"] for e in errors)
        assert "Traceback" not in response.get_data(as_text=True)


def test_etags_answer_304_and_guard_concurrent_changes(manager: Caller, community: dict[str, Any]) -> None:
    path = f"/v1/communities/{community['id']}"
    first = manager.get(path)
    etag = first.headers["ETag"]
    assert manager.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert manager.patch(path, {"name": "Nuevo nombre"}, headers={"If-Match": etag}).status_code == 200
    stale = manager.patch(path, {"name": "Otro"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["errors"][0]["code"] == "precondition_failed"
    assert manager.get(path).get_json()["name"] == "Nuevo nombre"


def test_a_body_over_the_limit_is_413(app: Flask, manager: Caller) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = manager.post("/v1/simulations", {"padding": "x" * limit})
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["code"] == "payload_too_large"


def test_lists_are_paginated(manager: Caller, community: dict[str, Any]) -> None:
    for index in range(5):
        manager.created(f"/v1/communities/{community['id']}/units", {"code": f"U{index}"})
    page = manager.get(f"/v1/communities/{community['id']}/units?page=2&page_size=2")
    assert [u["code"] for u in page.get_json()] == ["U2", "U3"]
    assert json.loads(page.headers["X-Pagination"])["total"] == 5


def test_a_unit_in_use_cannot_be_deleted(manager: Caller, community: dict[str, Any]) -> None:
    unit = manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A"})
    manager.created("/v1/meters", {"unit_id": unit["id"], "serial": "M", "service": "gas"})
    manager.created("/v1/residents", {"name": "Ana", "units": [{"unit_id": unit["id"]}]})
    assert manager.delete(f"/v1/units/{unit['id']}").status_code == 409
    assert manager.get(f"/v1/units/{unit['id']}").status_code == 200


def test_a_refused_delete_counts_what_refers_to_the_record(
    manager: Caller, community: dict[str, Any]
) -> None:
    unit = manager.created(f"/v1/communities/{community['id']}/units", {"code": "2B"})
    for serial in ("HCA-1", "HCA-2", "HCA-3"):
        manager.created("/v1/meters", {"unit_id": unit["id"], "serial": serial, "service": "heating"})
    manager.created("/v1/residents", {"name": "Ana", "units": [{"unit_id": unit["id"]}]})
    refused = manager.delete(f"/v1/units/{unit['id']}")
    assert refused.status_code == 409
    error = refused.get_json()["errors"][0]
    assert "3 meters" in error["message"], error
    assert "1 resident" in error["message"], error


def test_an_invalid_iban_is_refused(manager: Caller) -> None:
    response = manager.post("/v1/residents", {"name": "Ana", "iban": "ES91 2100 0418 4502 0005 1333"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "iban"


def test_text_with_nul_characters_is_refused_not_stored(manager: Caller) -> None:
    response = manager.post("/v1/communities", {"code": "C\x00", "name": "Nul"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "invalid_request"
    assert manager.get("/v1/meters?unit_id=%00").status_code == 422
