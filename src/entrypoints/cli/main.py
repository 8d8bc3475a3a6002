"""The `prorata` command."""

from __future__ import annotations

import click

from prorata.entrypoints.cli.admin import db, keys, tenants
from prorata.entrypoints.cli.api import api
from prorata.entrypoints.cli.dropzone import sftp, sftp_users, watch
from prorata.entrypoints.cli.imports import import_command, worker_command
from prorata.entrypoints.cli.run import run
from prorata.entrypoints.cli.simulate import simulate_command


@click.group()
def main() -> None:
    """prorata: shares a community's supplier bills among its dwellings, to the cent."""


for command in (
    simulate_command,
    db,
    tenants,
    keys,
    api,
    import_command,
    worker_command,
    sftp,
    sftp_users,
    watch,
    run,
):
    main.add_command(command)
