"""The errors a person meets trying the API by hand (curl, a script): each says what was wrong and what to
do, in the one error shape ({"errors": [{"code", "message", ...}]}) — never Werkzeug's stock sentences."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import werkzeug.exceptions
from flask import Flask
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.entrypoints.api.schemas import ErrorsSchema
from tests.api_client import Caller, key_for

# Every sentence Werkzeug answers with by default ("The browser (or proxy) sent a request that this server
# could not understand.", "The requested URL was not found on the server. …").
WERKZEUG_SENTENCES = {
    cls.description
    for cls in vars(werkzeug.exceptions).values()
    if isinstance(cls, type) and issubclass(cls, werkzeug.exceptions.HTTPException) and cls.description
}


@dataclass(frozen=True)
class World:
    app: Flask
    components: Components
    tenant: str
    manager: Caller

    def caller(self, role: Role) -> Caller:
        if role is Role.SUPPORT:
            return Caller(self.app.test_client(), key_for(self.components, role))
        if role is Role.RESIDENT:
            resident = self.manager.created("/v1/residents", {"name": "Ana Ruiz"})
            answer = self.manager.post(f"/v1/residents/{resident['id']}/keys")
            return Caller(self.app.test_client(), answer.get_json()["key"])
        return Caller(self.app.test_client(), key_for(self.components, role, self.tenant))

    def raw(self, method: str, path: str, data: Any = None, **headers: str) -> TestResponse:
        sent = {"Authorization": f"Bearer {self.manager.key}", **headers}
        return self.app.test_client().open(path, method=method, data=data, headers=sent)

    def community_with_a_unit(self) -> tuple[str, str]:
        community = self.manager.created("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
        unit = self.manager.created(
            f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"}
        )
        return community["id"], unit["id"]


@pytest.fixture
def world(app: Flask, components: Components, tenant: str, manager: Caller) -> World:
    return World(app, components, tenant, manager)


def _json(**headers: str) -> dict[str, str]:
    return {"Content-Type": "application/json", **headers}


def _delete_community_with_units(w: World) -> TestResponse:
    community, _ = w.community_with_a_unit()
    return w.manager.delete(f"/v1/communities/{community}")


def _delete_unit_someone_holds(w: World) -> TestResponse:
    _, unit = w.community_with_a_unit()
    w.manager.created("/v1/residents", {"name": "Ana Ruiz", "units": [{"unit_id": unit}]})
    return w.manager.delete(f"/v1/units/{unit}")


# (what a person did, the request, status, code, words the message must hold)
CASES: list[tuple[str, Callable[[World], TestResponse], int, str, list[str]]] = [
    (
        "malformed JSON",
        lambda w: w.raw("POST", "/v1/communities", '{"code": "C1", "name": }', **_json()),
        400,
        "bad_request",
        ["not valid JSON", "line 1, column 24"],
    ),
    (
        "malformed JSON in a PATCH",
        lambda w: w.raw("PATCH", "/v1/communities/x", "{'code': 'C1'}", **_json()),
        400,
        "bad_request",
        ["not valid JSON", "double quotes"],
    ),
    (
        "malformed JSON to a simulation",
        lambda w: w.raw("POST", "/v1/simulations", "{costs: []}", **_json()),
        422,
        "invalid_request",
        ["not valid JSON"],
    ),
    (
        "JSON sent as text/plain",
        lambda w: w.raw(
            "POST", "/v1/communities", '{"code": "C1", "name": "CP"}', **{"Content-Type": "text/plain"}
        ),
        415,
        "unsupported_media_type",
        ["text/plain", "Content-Type: application/json"],
    ),
    (
        "curl -d without -H (a form)",
        lambda w: w.raw(
            "POST",
            "/v1/communities",
            '{"code": "C1", "name": "CP"}',
            **{"Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
        "unsupported_media_type",
        ["application/x-www-form-urlencoded", "Content-Type: application/json"],
    ),
    (
        "no body at all",
        lambda w: w.raw("POST", "/v1/communities"),
        422,
        "invalid_request",
        ["no body", "JSON object", "code", "name"],
    ),
    (
        "an empty JSON object",
        lambda w: w.manager.post("/v1/communities", {}),
        422,
        "invalid_request",
        ["code is required"],
    ),
    (
        "a JSON list where an object goes",
        lambda w: w.manager.post("/v1/communities", [{"code": "C1", "name": "CP"}]),
        422,
        "invalid_request",
        ["must be a JSON object"],
    ),
    (
        "an upload sent as JSON",
        lambda w: w.manager.post("/v1/imports", {"file": "export.xlsx"}),
        422,
        "invalid_request",
        ["multipart/form-data", "-F file=@"],
    ),
    (
        "an unknown endpoint",
        lambda w: w.manager.get("/v1/recibos"),
        404,
        "not_found",
        ["GET /v1/recibos", "/docs"],
    ),
    (
        "an unknown page outside the API",
        lambda w: w.app.test_client().get("/admin"),
        404,
        "not_found",
        ["/admin", "/docs"],
    ),
    (
        "a method the endpoint does not take",
        lambda w: w.manager.call("PUT", "/v1/communities", json={}),
        405,
        "method_not_allowed",
        ["PUT", "GET", "POST"],
    ),
    (
        "a body over the limit",
        lambda w: w.raw(
            "POST",
            "/v1/communities",
            b" " * (w.components.settings.max_body_bytes + 1),
            **_json(),
        ),
        413,
        "payload_too_large",
        ["10485760 bytes", "smaller"],
    ),
    (
        "no API key",
        lambda w: w.app.test_client().get("/v1/communities"),
        401,
        "unauthorized",
        ["Authorization: Bearer"],
    ),
    (
        "a revoked or mistyped key",
        lambda w: w.app.test_client().get("/v1/communities", headers={"Authorization": "Bearer prk_x"}),
        401,
        "unauthorized",
        ["not valid", "new key"],
    ),
    (
        "a resident key on the manager's listing",
        lambda w: w.caller(Role.RESIDENT).get("/v1/communities"),
        403,
        "forbidden",
        ["resident key", "/v1/me/receipts"],
    ),
    (
        "a support key writing",
        lambda w: w.caller(Role.SUPPORT).post("/v1/communities", {"code": "C1", "name": "CP"}),
        403,
        "forbidden",
        ["support key", "reads every tenant", "manager"],
    ),
    (
        "an integration key deleting",
        lambda w: w.caller(Role.INTEGRATION).delete("/v1/communities/x"),
        403,
        "forbidden",
        ["integration key", "manager key"],
    ),
    (
        "a misspelt query parameter",
        lambda w: w.manager.get("/v1/receipts?stauts=paid"),
        422,
        "invalid_request",
        ["stauts", "status", "page_size"],
    ),
    (
        "a query parameter on a listing that takes only pages",
        lambda w: w.manager.get("/v1/communities?code=C1"),
        422,
        "invalid_request",
        ["code", "page", "page_size"],
    ),
    (
        "a query parameter where the endpoint takes none",
        lambda w: w.caller(Role.RESIDENT).get("/v1/me?x=1"),
        422,
        "invalid_request",
        ["x", "takes no query parameters"],
    ),
    (
        "a key sent without its scheme",
        lambda w: w.app.test_client().get("/v1/communities", headers={"Authorization": w.manager.key}),
        401,
        "unauthorized",
        ["no scheme", "Authorization: Bearer <key>"],
    ),
    (
        "a record changed since it was read",
        lambda w: w.raw(
            "PATCH",
            f"/v1/communities/{w.community_with_a_unit()[0]}",
            '{"name": "CP"}',
            **_json(**{"If-Match": '"stale"'}),
        ),
        412,
        "precondition_failed",
        ["GET", "ETag", "If-Match"],
    ),
    (
        "an id that is no receipt",
        lambda w: w.manager.get("/v1/receipts/123"),
        404,
        "not_found",
        ["no receipt 123", "GET /v1/receipts"],
    ),
    (
        "a method no endpoint takes, without a key",
        lambda w: w.app.test_client().open("/v1/receipts", method="PROPFIND"),
        405,
        "method_not_allowed",
        ["PROPFIND", "GET"],
    ),
    (
        "deleting a community that has units",
        _delete_community_with_units,
        409,
        "conflict",
        ["1 unit", "DELETE /v1/units/"],
    ),
    (
        "deleting a unit a resident holds",
        _delete_unit_someone_holds,
        409,
        "conflict",
        ["1 resident", "PATCH /v1/residents/"],
    ),
]


@pytest.mark.parametrize(("did", "request_", "status", "code", "words"), CASES, ids=[c[0] for c in CASES])
def test_an_error_says_what_was_wrong_and_what_to_do(
    world: World,
    did: str,
    request_: Callable[[World], TestResponse],
    status: int,
    code: str,
    words: list[str],
) -> None:
    answer = request_(world)
    body = answer.get_json()
    assert answer.status_code == status, body
    assert answer.mimetype == "application/json"
    assert ErrorsSchema().validate(body) == {}, body
    (error, *_) = body["errors"]
    assert error["code"] == code
    assert error["message"] not in WERKZEUG_SENTENCES
    for word in words:
        assert word in error["message"], error["message"]


def test_a_405_names_the_methods_in_its_allow_header(world: World) -> None:
    answer = world.manager.call("PUT", "/v1/communities", json={})
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_a_refused_delete_lists_what_refers_to_the_record(world: World) -> None:
    community, unit = world.community_with_a_unit()
    world.manager.created("/v1/meters", {"unit_id": unit, "serial": "CAL-1", "service": "heating"})
    answer = world.manager.delete(f"/v1/units/{unit}")
    assert answer.status_code == 409
    (error,) = answer.get_json()["errors"]
    assert error["referred_by"] == {"meters": 1}
    assert world.manager.get(f"/v1/units/{unit}").status_code == 200
    assert world.manager.delete(f"/v1/communities/{community}").get_json()["errors"][0]["referred_by"] == {
        "units": 1
    }


def test_query_parameters_the_endpoint_takes_still_work_and_pages_outside_the_api_take_any(
    world: World,
) -> None:
    assert world.manager.get("/v1/receipts?status=paid&page_size=5").status_code == 200
    client = world.app.test_client()
    for path in ("/openapi.json?v=3", "/health?probe=1", "/docs?cache=2", "/metrics?x=1"):
        assert client.get(path, follow_redirects=True).status_code == 200, path


def test_a_405_comes_before_the_key_is_asked_for(world: World) -> None:
    answer = world.app.test_client().open("/v1/receipts", method="PROPFIND")
    assert answer.status_code == 405
    assert "GET" in answer.headers["Allow"]
    assert "WWW-Authenticate" not in answer.headers


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app behind Werkzeug's own server, which reads chunked bodies as gunicorn does (the WSGI input
    ends where the body does; no Content-Length)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(2)


def _chunked(address: str, key: str, chunks: list[bytes]) -> tuple[int, dict[str, Any]]:
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(
            "POST",
            "/v1/communities",
            body=iter(chunks),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            encode_chunked=True,
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


@pytest.mark.parametrize("padding_only", [False, True], ids=["JSON past the limit", "padding past the limit"])
def test_a_chunked_body_over_the_limit_is_a_413(world: World, served: str, padding_only: bool) -> None:
    limit = world.components.settings.max_body_bytes
    document = b'{"code": "CHUNK1", "name": "CP Troceada"}'
    body = document + b" " * limit if padding_only else b" " * limit + document
    chunks = [body[i : i + 1 << 20] for i in range(0, len(body), 1 << 20)]
    status, answer = _chunked(served, str(world.manager.key), chunks)
    assert status == 413, answer
    assert answer["errors"][0]["code"] == "payload_too_large"
    assert world.manager.get("/v1/communities").get_json() == []


def test_a_chunked_body_within_the_limit_is_read_whole(world: World, served: str) -> None:
    document = b'{"code": "CHUNK2", "name": "CP Troceada"}'
    status, answer = _chunked(served, str(world.manager.key), [document[:10], document[10:]])
    assert status == 201, answer
    assert answer["code"] == "CHUNK2"


DATE_FORMAT = "(YYYY-MM-DD, e.g. 2026-03-31)"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/settlements", {"period": {"from": "2026-13-01", "to": "2026-12-31"}}, "period.from"),
        ("/v1/settlements", {"period": {"from": "2026-01-01", "to": "31/12/2026"}}, "period.to"),
        ("/v1/simulations", {"period": {"from": "2026-02-30", "to": "2026-12-31"}}, "period.from"),
        ("/v1/receipts?issued_from=2026-13-01", None, "issued_from"),
    ],
    ids=["settlement period.from", "settlement period.to", "simulation period.from", "query issued_from"],
)
def test_a_bad_date_says_the_format_a_date_takes(
    world: World, path: str, body: dict[str, Any] | None, field: str
) -> None:
    answer = world.manager.get(path) if body is None else world.manager.post(path, body)
    assert answer.status_code == 422, answer.get_json()
    errors = answer.get_json()["errors"]
    assert ErrorsSchema().validate(answer.get_json()) == {}
    (error,) = [e for e in errors if e.get("field") == field]
    assert error["code"] == "invalid_request"
    assert error["message"] == f"{field} is not a valid date {DATE_FORMAT}"


def test_a_bad_date_and_time_says_the_format_it_takes(world: World) -> None:
    answer = world.manager.get("/v1/imports?received_from=yesterday")
    assert answer.status_code == 422, answer.get_json()
    (error,) = [e for e in answer.get_json()["errors"] if e.get("field") == "received_from"]
    assert error["message"] == (
        "received_from is not a valid date and time (ISO 8601, e.g. 2026-03-31T09:30:00Z)"
    )
