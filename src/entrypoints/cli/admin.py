"""`prorata db upgrade`, `prorata tenants create`, `prorata keys create|list|revoke`.

Each command imports the components and its use case when it runs: `--help` loads little but click (the
components and the domain's models made it take 0.5–1 s, 10× what it takes now)."""

from __future__ import annotations

import json
import sys

import click

USAGE_ERROR = 2


@click.group("db")
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations (SQLite under PRORATA_DATA_DIR, or PRORATA_DATABASE_URL)."""
    from prorata.config.bootstrap import bootstrap

    done = bootstrap().upgrade_database()
    if not done.applied:
        click.echo(f"database is up to date ({done.after or 'no migrations'})")
        return
    plural = "migration" if done.applied == 1 else "migrations"
    click.echo(
        f"database upgraded from {done.before or 'none'} to {done.after} ({done.applied} {plural} applied)"
    )


@click.group("tenants")
def tenants() -> None:
    """Management companies."""


@tenants.command("create")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help='Print {"id": ...}.')
def tenants_create(name: str, as_json: bool) -> None:
    """Create a tenant (a management company) and print its id."""
    from prorata.application.access import create_tenant
    from prorata.config.bootstrap import bootstrap

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
    from prorata.application.access import create_key, key_id_of
    from prorata.application.errors import NotFound
    from prorata.config.bootstrap import bootstrap
    from prorata.domain.access.principal import Role

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
    from prorata.application.access import list_keys
    from prorata.config.bootstrap import bootstrap

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
    from prorata.application.access import revoke_key
    from prorata.application.errors import NotFound
    from prorata.config.bootstrap import bootstrap

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
