"""`prorata db upgrade`, `prorata tenants create`, `prorata keys create`."""

from __future__ import annotations

import json
import sys

import click

from prorata.application.access import create_key, create_tenant
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
    click.echo(json.dumps({"key": key, "role": role, "tenant": tenant_id}) if as_json else key)
