"""Whatever a client sends, the answer is a 4xx with the standard error body, never a 500: JSON nested
past any sensible depth, text that is not text (lone UTF-16 surrogates), a nested record missing a field."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.api_client import Caller

SIMULATION = (
    '{"costs": [{"concept": CONCEPT, "amount": "10.00"}], "units": [{"unit": "A", "coefficient": "1"}]}'
)


def raw(caller: Caller, method: str, path: str, text: str | bytes) -> TestResponse:
    """Sends the JSON text as it is: a JSON library would refuse to write some of these bodies."""
    headers = {"Authorization": f"Bearer {caller.key}", "Content-Type": "application/json"}
    return caller.client.open(path, method=method, data=text, headers=headers)


def errors(response: TestResponse) -> list[dict[str, Any]]:
    body = response.get_json()
    assert isinstance(body, dict), body
    assert set(body) == {"errors"}, body
    found: list[dict[str, Any]] = body["errors"]
    assert found, body
    assert all({"code", "message"} <= set(e) for e in found), body
    return found


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("path", ["/v1/simulations", "/v1/communities", "/v1/readings"])
def test_json_nested_thousands_deep_is_refused_with_a_clear_error(
    manager: Caller, path: str, depth: int
) -> None:
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = raw(manager, "POST", path, text)
        assert response.status_code in (413, 422), response.get_data(as_text=True)[:300]
        (error,) = errors(response)
        assert error["code"] in ("invalid_request", "payload_too_large")
        assert "nest" in error["message"]


def test_brackets_inside_strings_are_text_not_nesting(manager: Caller) -> None:
    name = "[" * 90 + "{" * 90 + '\\"'
    created = raw(manager, "POST", "/v1/communities", '{"code": "C1", "name": "' + name + '"}')
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name"] == name.replace('\\"', '"')


@pytest.mark.parametrize(
    ("path", "text", "field"),
    [
        ("/v1/communities", '{"code": "C\\ud800", "name": "CP"}', "code"),
        ("/v1/communities", '{"code": "C1", "name": "CP \\udc00 Mayor"}', "name"),
        ("/v1/simulations", SIMULATION.replace("CONCEPT", '"Gas \\ud83d"'), "costs[0].concept"),
        ("/v1/residents", '{"name": "Ana", "units": [], "email": null, "\\ud800": 1}', "\\ud800"),
    ],
)
def test_a_lone_surrogate_in_any_text_is_a_422_naming_the_field(
    manager: Caller, path: str, text: str, field: str
) -> None:
    response = raw(manager, "POST", path, text)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    (error,) = errors(response)
    assert (error["code"], error["field"]) == ("invalid_request", field)
    assert "surrogate" in error["message"]


def test_surrogates_written_as_raw_bytes_are_refused_too(manager: Caller) -> None:
    # CESU-8 / WTF-8: the three bytes of U+D800, which Python's JSON reader lets through.
    response = raw(manager, "POST", "/v1/communities", b'{"code": "C1", "name": "CP \xed\xa0\x80"}')
    assert response.status_code in (400, 422)
    errors(response)
    assert manager.get("/v1/communities").get_json() == []


def test_a_paired_surrogate_escape_is_ordinary_text(manager: Caller) -> None:
    created = raw(manager, "POST", "/v1/communities", '{"code": "C1", "name": "CP \\ud83c\\udfe0"}')
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name"] == "CP \N{HOUSE BUILDING}"


def test_patching_an_occupancy_without_its_unit_is_a_422(manager: Caller, community: dict[str, Any]) -> None:
    unit = manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    resident = manager.created("/v1/residents", {"name": "Ana", "units": [{"unit_id": unit["id"]}]})
    for occupancy in ({"role": "occupant"}, {}, {"since": "2026-01-01"}):
        response = manager.patch(f"/v1/residents/{resident['id']}", {"units": [occupancy]})
        assert response.status_code == 422, response.get_json()
        assert [(e["code"], e["field"]) for e in errors(response)] == [
            ("invalid_request", "units[0].unit_id")
        ]
    kept = manager.get(f"/v1/residents/{resident['id']}").get_json()
    assert [u["unit_id"] for u in kept["units"]] == [unit["id"]]


@pytest.mark.parametrize("path", ["/v1/simulations", "/v1/communities", "/v1/readings", "/v1/settlements"])
def test_an_integer_of_thousands_of_digits_is_a_422_not_a_500(manager: Caller, path: str) -> None:
    digits = "9" * 5_000  # past Python's limit for turning digits into an int (4,300)
    response = raw(manager, "POST", path, '{"code": "C1", "name": "CP", "due_days": ' + digits + "}")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    (error,) = errors(response)
    assert (error["code"], error["field"]) == ("invalid_request", "(request)")
    assert "digits" in error["message"]


@pytest.mark.parametrize(
    "moment",
    [
        "2026-01-01T00:00:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ],
)
@pytest.mark.parametrize("bound", ["received_from", "received_to"])
def test_a_date_filter_without_a_time_zone_or_at_the_ends_of_time_is_answered(
    manager: Caller, bound: str, moment: str
) -> None:
    response = manager.get(f"/v1/imports?{bound}={moment}")
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        (error,) = errors(response)
        assert error["field"] == bound


def test_a_date_filter_without_a_time_zone_is_taken_as_utc(
    manager: Caller, community: dict[str, Any], drain: Any
) -> None:
    sent = manager.upload("/v1/imports", b"Piso;Lectura\r\n1A;3\r\n", "a.csv", community_id=community["id"])
    received = sent.get_json()["received_at"]
    day = received[:10]
    assert [j["id"] for j in manager.get(f"/v1/imports?received_from={day}T00:00:00").get_json()] == [
        sent.get_json()["id"]
    ]
    assert manager.get(f"/v1/imports?received_to={day}T00:00:00").get_json() == []
    drain()
