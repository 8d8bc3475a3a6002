"""`prorata db upgrade`, `prorata ready`, `prorata tenants create`, `prorata keys create|list|revoke`."""

from __future__ import annotations

import json
import sys

import click

from prorata.application.access import create_key, create_tenant, key_id_of, list_keys, revoke_key
from prorata.application.errors import NotFound
from prorata.config.bootstrap import bootstrap
from prorata.domain.access.principal import Role

USAGE_ERROR = 2


@click.group("db")
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations (SQLite under PRORATA_DATA_DIR, or PRORATA_DATABASE_URL)."""
    bootstrap().upgrade_database()
    click.echo("database is up to date")


@click.command("ready")
@click.option("--json", "as_json", is_flag=True, help="Print what GET /ready answers.")
@click.option(
    "--sftp-port", type=int, help="Also: an SSH banner on 127.0.0.1:PORT (this container's `prorata sftp`)."
)
@click.option(
    "--metrics-port", type=int, help="Also: /metrics on 127.0.0.1:PORT (this container's `prorata worker`)."
)
def ready(as_json: bool, sftp_port: int | None, metrics_port: int | None) -> None:
    """Exit 0 when the database answers, its schema is at head and the broker answers; else 1, saying
    which failed (what GET /ready checks, for the worker, sftp and watch containers' healthchecks)."""
    from prorata.adapters.readiness import readiness
    from prorata.entrypoints.cli.process_checks import check_metrics, check_sftp

    own = [
        check_sftp(sftp_port) if sftp_port else None,
        check_metrics(metrics_port) if metrics_port else None,
    ]
    if any(own):
        for failure in filter(None, own):
            click.echo(failure, err=True)
        sys.exit(1)  # the process itself is gone or stuck: restart it, whatever the database says
    parts = bootstrap()
    found = readiness(parts.engine, parts.broker)
    parts.broker.close()
    parts.engine.dispose()
    if as_json:
        problems = [{"code": f.code, "message": f.message, "check": f.check} for f in found.failed]
        body = {"errors": problems} if problems else {"status": "ready"}
        click.echo(json.dumps({**body, "checks": found.checks}))
    else:
        for problem in found.failed:
            click.echo(f"{problem.check}: {problem.message}", err=True)
        if not found.failed:
            click.echo("ready: " + ", ".join(f"{k} {v}" for k, v in found.checks.items()))
    sys.exit(1 if found.failed else 0)


@click.group("tenants")
def tenants() -> None:
    """Management companies."""


@tenants.command("create")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help='Print {"id": ...}.')
def tenants_create(name: str, as_json: bool) -> None:
    """Create a tenant (a management company) and print its id."""
    parts = bootstrap()
    parts.upgrade_database()
    with parts.unit_of_work() as uow:
        tenant = create_tenant(uow, parts.ids, name)
    click.echo(json.dumps({"id": tenant.id, "name": tenant.name}) if as_json else tenant.id)


@click.group("keys")
def keys() -> None:
    """API keys: shown once, stored hashed."""


@keys.command("create")
@click.option("--tenant", "tenant_id", help="The tenant the key acts for (all roles but support).")
@click.option("--role", type=click.Choice(["manager", "integration", "support"]), required=True)
@click.option("--json", "as_json", is_flag=True, help='Print {"key": ...}.')
def keys_create(tenant_id: str | None, role: str, as_json: bool) -> None:
    """Create an API key and print it; it is not shown again."""
    chosen = Role(role)
    if (chosen is Role.SUPPORT) != (tenant_id is None):
        click.echo("--tenant is required for manager and integration keys, and refused for support", err=True)
        sys.exit(USAGE_ERROR)
    parts = bootstrap()
    parts.upgrade_database()
    try:
        with parts.unit_of_work() as uow:
            key = create_key(uow, parts.ids, parts.clock, chosen, tenant_id)
    except NotFound as error:
        click.echo(str(error), err=True)
        sys.exit(USAGE_ERROR)
    listed = {"id": key_id_of(key), "key": key, "role": role, "tenant": tenant_id}
    click.echo(json.dumps(listed) if as_json else key)


@keys.command("list")
@click.option("--tenant", "tenant_id", help="Only this tenant's keys (else every key, support's too).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def keys_list(tenant_id: str | None, as_json: bool) -> None:
    """List keys, oldest first: id, role, tenant, resident, created, revoked — never their secrets."""
    parts = bootstrap()
    parts.upgrade_database()
    with parts.unit_of_work() as uow:
        found = list_keys(uow, tenant_id).items
    rows = [
        {
            "id": k.id,
            "role": k.role.value,
            "tenant_id": k.tenant_id,
            "resident_id": k.resident_id,
            "created_at": k.created_at.isoformat(),
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
        }
        for k in found
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        whose = row["resident_id"] or row["tenant_id"] or "-"
        click.echo(f"{row['id']}  {row['role']:<11}  {whose}  created {row['created_at']}  {state}")


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by its id: it is refused from the next request on."""
    parts = bootstrap()
    parts.upgrade_database()
    try:
        with parts.unit_of_work() as uow:
            key = revoke_key(uow, parts.clock, None, key_id)
    except NotFound as error:
        click.echo(str(error), err=True)
        sys.exit(USAGE_ERROR)
    assert key.revoked_at is not None
    click.echo(f"revoked {key.id} at {key.revoked_at.isoformat()}")
