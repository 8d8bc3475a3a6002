"""`prorata run`: everything in one process on embedded defaults — the REST API (gunicorn), import workers
on an in-process broker, the SFTP drop zone and its watcher — for a laptop or a small office.

"One process" is gunicorn's single worker process: the master prepares the database, forks it and only
supervises. One worker, because the in-process broker and the SFTP port can exist only once."""

from __future__ import annotations

import json

import click

from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.application.access import create_key, create_tenant
from prorata.config.bootstrap import Components, bootstrap
from prorata.domain.access.principal import Role
from prorata.entrypoints.background import Background
from prorata.entrypoints.cli.api import serve_api

DEMO_TENANT = "Demo — Fincas de prueba"


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int, help="REST API port.")
@click.option("--sftp-port", default=2222, show_default=True, type=int, help="SFTP drop-zone port.")
@click.option(
    "--demo", is_flag=True, help="Create a demo tenant, a manager key and an SFTP login, and print them."
)
def run(host: str, port: int, sftp_port: int, demo: bool) -> None:
    """Run the API, workers, SFTP drop zone and watcher together (SQLite, in-process broker by default)."""
    parts = bootstrap()
    parts.upgrade_database()
    if demo:
        _demo(parts, host, port, sftp_port)
    click.echo(
        f"prorata: API http://{host}:{port} (docs /docs) · SFTP {host}:{sftp_port} · "
        f"data {parts.settings.data_dir.resolve()} · Ctrl-C stops",
        err=True,
    )
    parts.engine.dispose()  # the serving process opens its own connections; none is inherited
    serve_api(host, port, workers=1, background=Background(workers=True, sftp=(host, sftp_port), watch=True))


def _demo(parts: Components, host: str, port: int, sftp_port: int) -> None:
    with parts.unit_of_work() as uow:
        found = [t for t in uow.tenants.list(None).items if t.name == DEMO_TENANT]
        tenant = found[0] if found else create_tenant(uow, parts.ids, DEMO_TENANT)
        key = create_key(uow, parts.ids, parts.clock, Role.MANAGER, tenant.id)
        if dropzone.find_account(uow, "demo") is None:
            dropzone.add_account(uow, parts.ids, parts.clock, tenant.id, "demo", hash_password("demo"), None)
    click.echo(
        json.dumps({"tenant": tenant.id, "manager_key": key, "sftp": {"user": "demo", "password": "demo"}})
    )
    click.echo(
        f"""
Try it:
  curl -s -H "Authorization: Bearer {key}" http://{host}:{port}/v1/communities
  curl -s -H "Authorization: Bearer {key}" -F file=@tests/fixtures/samples/export-multi-community.xlsx \\
       http://{host}:{port}/v1/imports
  sftp -P {sftp_port} demo@{host}     # password: demo; put a CSV/XLSX;
                                      # its outcome appears in processed/ or failed/
""",
        err=True,
    )
