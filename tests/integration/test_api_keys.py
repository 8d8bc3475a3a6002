"""A manager lists its tenant's keys (never their secrets) and revokes them; a revoked key is refused at
once. The same from the command line."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.entrypoints.cli.main import main
from tests.api_client import Caller, key_for, new_tenant

FIELDS = {"id", "role", "resident_id", "created_at", "revoked_at"}


def resident_key(manager: Caller, community: dict[str, Any]) -> tuple[str, str]:
    """A resident of the community and her key's id and secret."""
    unit = manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    resident = manager.created("/v1/residents", {"name": "Rosa", "units": [{"unit_id": unit["id"]}]})
    issued = manager.created(f"/v1/residents/{resident['id']}/keys", None)
    listed = manager.get(f"/v1/keys?resident_id={resident['id']}").get_json()
    assert [k["id"] for k in listed] == [issued["id"]]
    return issued["id"], issued["key"]


def test_a_manager_lists_the_tenants_keys_without_their_secrets(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    other = Caller(app.test_client(), key_for(components, Role.MANAGER, new_tenant(components, "Otra")))
    key_id, secret = resident_key(manager, community)
    response = manager.get("/v1/keys")
    assert response.status_code == 200, response.get_json()
    keys = response.get_json()
    assert {k["role"] for k in keys} == {"manager", "resident"}
    assert all(set(k) == FIELDS for k in keys)
    listed = next(k for k in keys if k["id"] == key_id)
    assert listed["resident_id"] is not None
    assert listed["revoked_at"] is None
    text = response.get_data(as_text=True)
    assert secret.split("_", 2)[2] not in text
    assert "hash" not in text
    assert len(other.get("/v1/keys").get_json()) == 1  # the other tenant sees its own key only


def test_a_revoked_key_is_refused_at_once(app: Flask, manager: Caller, community: dict[str, Any]) -> None:
    key_id, secret = resident_key(manager, community)
    resident = Caller(app.test_client(), secret)
    assert resident.get("/v1/receipts").status_code == 200
    assert manager.delete(f"/v1/keys/{key_id}").status_code == 204
    assert resident.get("/v1/receipts").status_code == 401
    revoked = next(k for k in manager.get("/v1/keys").get_json() if k["id"] == key_id)
    assert revoked["revoked_at"] is not None
    assert manager.delete(f"/v1/keys/{key_id}").status_code == 204  # revoking twice is no error…
    again = next(k for k in manager.get("/v1/keys").get_json() if k["id"] == key_id)
    assert again["revoked_at"] == revoked["revoked_at"]  # …and keeps the first time


def test_another_tenants_key_is_not_found_and_keeps_working(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    theirs = key_for(components, Role.MANAGER, new_tenant(components, "Otra"))
    other = Caller(app.test_client(), theirs)
    [their_key] = other.get("/v1/keys").get_json()
    assert manager.delete(f"/v1/keys/{their_key['id']}").status_code == 404
    assert manager.delete("/v1/keys/01900000-0000-7000-8000-000000000000").status_code == 404
    assert other.get("/v1/keys").status_code == 200


def test_only_a_manager_lists_and_revokes_keys(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any], tenant: str
) -> None:
    key_id, secret = resident_key(manager, community)
    for caller in (
        Caller(app.test_client(), key_for(components, Role.INTEGRATION, tenant)),
        Caller(app.test_client(), secret),
    ):
        assert caller.get("/v1/keys").status_code == 403
        assert caller.delete(f"/v1/keys/{key_id}").status_code == 403


def test_keys_are_listed_and_revoked_from_the_command_line(
    app: Flask, components: Components, manager: Caller, tenant: str
) -> None:
    env = {
        "PRORATA_DATA_DIR": str(components.settings.data_dir),
        "PRORATA_DATABASE_URL": components.settings.database_url,
    }
    runner = CliRunner()
    made = runner.invoke(
        main, ["keys", "create", "--tenant", tenant, "--role", "integration", "--json"], env=env
    )
    assert made.exit_code == 0, made.output
    created = json.loads(made.output)
    listed = runner.invoke(main, ["keys", "list", "--tenant", tenant, "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    keys = json.loads(listed.output)
    assert {k["role"] for k in keys} == {"manager", "integration"}
    assert all(set(k) == FIELDS | {"tenant_id"} for k in keys)
    assert created["key"].split("_", 2)[2] not in listed.output
    plain = runner.invoke(main, ["keys", "list", "--tenant", tenant], env=env)
    assert created["id"] in plain.output
    assert "integration" in plain.output
    integration = Caller(app.test_client(), created["key"])
    assert integration.get("/v1/communities").status_code == 200
    revoked = runner.invoke(main, ["keys", "revoke", created["id"]], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert integration.get("/v1/communities").status_code == 401
    assert manager.get("/v1/communities").status_code == 200
    unknown = runner.invoke(main, ["keys", "revoke", "01900000-0000-7000-8000-000000000000"], env=env)
    assert unknown.exit_code == 2
    assert "no key" in unknown.output
