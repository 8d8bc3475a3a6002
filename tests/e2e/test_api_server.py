"""As a new user would: migrate, create a tenant and a key with the CLI, start `prorata api`, and drive the
whole flow over HTTP knowing only /openapi.json."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import _prorata, free_port


class Http:
    def __init__(self, base: str, key: str | None = None) -> None:
        self.base = base
        self.key = key

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """One `prorata api` per database for the module's tests: each test's tenants and keys are its own."""
    env = {
        "PRORATA_DATABASE_URL": database_url,
        "PRORATA_DATA_DIR": str(tmp_path_factory.mktemp("api") / "var"),
    }
    executable = _prorata()
    upgraded = subprocess.run(
        [executable, "db", "upgrade"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    port = free_port()
    process = subprocess.Popen(
        [executable, "api", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not (_listening(port) and Http(base)("GET", "/health")[0] == 200):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "prorata api did not answer /health within 30 s"
            time.sleep(0.2)
        yield base, env
    finally:
        process.terminate()
        process.wait(timeout=30)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_new_user_settles_a_community_against_prorata_api(
    prorata: Any, server: tuple[str, dict[str, str]]
) -> None:
    base, env = server
    created = prorata("tenants", "create", "Fincas García", "--json", env=env)
    assert created.code == 0, created.stderr
    tenant = created.json()["id"]
    key = prorata("keys", "create", "--tenant", tenant, "--role", "manager", "--json", env=env).json()["key"]
    support = prorata("keys", "create", "--role", "support", "--json", env=env).json()["key"]
    http = Http(base, key)

    status, spec = Http(base)("GET", "/openapi.json")
    assert status == 200
    assert spec["openapi"].startswith("3.")
    for path in (
        "/v1/communities",
        "/v1/settlements/{settlement_id}/publish",
        "/v1/receipts",
        "/v1/simulations",
    ):
        assert path in spec["paths"], path

    status, community = http("POST", "/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
    assert status == 201
    assert community["id"]
    assert http("GET", f"/v1/communities/{community['id']}") == (200, community)
    units = {}
    for code, coefficient in (("1A", "60"), ("1B", "40")):
        status, unit = http(
            "POST", f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": coefficient}
        )
        assert status == 201
        units[code] = unit["id"]
        status, meter = http(
            "POST", "/v1/meters", {"unit_id": unit["id"], "serial": f"HC-{code}", "service": "heating"}
        )
        assert status == 201
        readings = [
            {"meter_id": meter["id"], "date": d, "value": v}
            for d, v in (("2026-01-01", "10"), ("2026-03-31", "40" if code == "1A" else "20"))
        ]
        assert http("POST", "/v1/readings", {"readings": readings})[0] == 201
    status, resident = http("POST", "/v1/residents", {"name": "Rosa", "units": [{"unit_id": units["1A"]}]})
    assert status == 201
    status, settlement = http(
        "POST",
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "consumption_share": "0.5",
            "costs": [{"concept": "Gas", "amount": "200.00"}],
        },
    )
    assert status == 201, settlement
    status, preview = http("POST", f"/v1/settlements/{settlement['id']}/preview")
    assert status == 200, preview
    assert [r["total"] for r in preview["receipts"]] == ["135.00", "65.00"]
    status, published = http("POST", f"/v1/settlements/{settlement['id']}/publish")
    assert status == 201
    assert len(published["receipts"]) == 2
    status, receipts = http("GET", "/v1/receipts")
    assert status == 200
    assert sorted(r["total"] for r in receipts) == ["135.00", "65.00"]

    status, token = http("POST", f"/v1/residents/{resident['id']}/keys")
    assert status == 201
    status, own = Http(base, token["key"])("GET", "/v1/receipts")
    assert status == 200
    assert [r["unit_id"] for r in own] == [units["1A"]]
    assert Http(base, token["key"])("GET", f"/v1/communities/{community['id']}")[0] == 403
    assert Http(base, support)("GET", f"/v1/communities/{community['id']}")[0] == 200
    assert Http(base, support)("POST", "/v1/communities", {"code": "X", "name": "X"})[0] == 403
    assert Http(base, "prk_wrong")("GET", "/v1/communities")[0] == 401


def test_key_creation_refuses_a_support_key_bound_to_a_tenant(
    prorata: Any, server: tuple[str, dict[str, str]]
) -> None:
    _, env = server
    refused = prorata("keys", "create", "--tenant", "x", "--role", "support", "--json", env=env)
    assert refused.code == 2
    unknown = prorata("keys", "create", "--tenant", "no-such-tenant", "--role", "manager", env=env)
    assert unknown.code == 2
    assert "no tenant" in unknown.stderr
