"""The `prorata` command. Each subcommand's module is imported when that subcommand runs: a command
that only touches the database need not load the web framework or the SSH server."""

from __future__ import annotations

import importlib
import logging

import click

_COMMANDS = {
    "api": "prorata.entrypoints.cli.api:api",
    "db": "prorata.entrypoints.cli.admin:db",
    "import": "prorata.entrypoints.cli.imports:import_command",
    "keys": "prorata.entrypoints.cli.admin:keys",
    "receipts": "prorata.entrypoints.cli.receipts:receipts",
    "run": "prorata.entrypoints.cli.run:run",
    "sftp": "prorata.entrypoints.cli.dropzone:sftp",
    "sftp-users": "prorata.entrypoints.cli.dropzone:sftp_users",
    "simulate": "prorata.entrypoints.cli.simulate:simulate_command",
    "tenants": "prorata.entrypoints.cli.admin:tenants",
    "watch": "prorata.entrypoints.cli.dropzone:watch",
    "worker": "prorata.entrypoints.cli.imports:worker_command",
}


_SERVING = {"api", "run", "sftp", "watch", "worker"}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, name = target.split(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command), target
        assert command.name == cmd_name, target
        return command


@click.group(cls=_LazyGroup)
@click.pass_context
def main(context: click.Context) -> None:
    """prorata: shares a community's supplier bills among its dwellings, to the cent."""
    if context.invoked_subcommand in _SERVING:
        # What a serving process does (imports, logins, claims) is told on stderr, beside gunicorn's log.
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
