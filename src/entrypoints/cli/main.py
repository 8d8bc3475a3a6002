"""The `prorata` command. Each subcommand's module is imported when that subcommand runs: a command
that only touches the database need not load the web framework or the SSH server."""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

import click

# Both modules import the standard library only: `prorata --help` loads nothing more for them.
from prorata.adapters.sql.schema_revisions import SchemaAhead, UpgradeRefused
from prorata.config.settings import InvalidSetting

_COMMANDS = {
    "api": "prorata.entrypoints.cli.api:api",
    "db": "prorata.entrypoints.cli.admin:db",
    "import": "prorata.entrypoints.cli.imports:import_command",
    "keys": "prorata.entrypoints.cli.admin:keys",
    "receipts": "prorata.entrypoints.cli.receipts:receipts",
    "ready": "prorata.entrypoints.cli.ready:ready",
    "run": "prorata.entrypoints.cli.run:run",
    "sftp": "prorata.entrypoints.cli.dropzone:sftp",
    "sftp-users": "prorata.entrypoints.cli.dropzone:sftp_users",
    "simulate": "prorata.entrypoints.cli.simulate:simulate_command",
    "tenants": "prorata.entrypoints.cli.admin:tenants",
    "watch": "prorata.entrypoints.cli.dropzone:watch",
    "worker": "prorata.entrypoints.cli.imports:worker_command",
}


# What `prorata --help` says of each command: the first paragraph of its help (a test holds them to it),
# so that listing the commands imports none of them (that took 0.7 s: the web framework, SQLAlchemy,
# borb…). A command missing here is imported to be listed.
_SUMMARIES = {
    "api": "Serve the REST API (OpenAPI at /openapi.json, docs at /docs).",
    "db": "The database schema.",
    "import": "Import a file now, showing its progress; the same file twice is the same import.",
    "keys": "API keys: shown once, stored hashed.",
    "ready": "Exit 0 when the database answers, its schema is at head and the broker answers; else 1, saying "
    "which failed (what GET /ready checks, for the containers' healthchecks).",
    "receipts": "Receipts of published settlements.",
    "run": "Run the API, workers, SFTP drop zone and watcher together "
    "(SQLite, in-process broker by default).",
    "sftp": "Serve the SFTP drop zone: each account jailed in its folder under PRORATA_DATA_DIR/dropzone.",
    "sftp-users": "Drop-zone accounts of the tenants' legacy systems.",
    "simulate": "Prorate a settlement request (contract v1) and print every receipt.",
    "tenants": "Management companies.",
    "watch": "Watch the drop zone and import every completed file exactly once.",
    "worker": "Process imports from the broker (PRORATA_BROKER_URL: amqp:// or redis://) until stopped.",
}

_SERVING = {"api", "run", "sftp", "watch", "worker"}
CANNOT_START = 1  # as when the database or broker does not answer: for the supervisor, not a usage error


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            summary = _SUMMARIES.get(name)
            # A stand-in command of that help, to shorten it as click shortens the command's own.
            command = self.get_command(ctx, name) if summary is None else click.Command(name, help=summary)
            rows.append((name, command.get_short_help_str(limit) if command else ""))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        """What no command can work with — a setting it cannot use, a database newer than this code — is
        said once, here, in one line (the serving commands' in their log format), and exits 1."""
        try:
            return super().invoke(ctx)
        except (InvalidSetting, SchemaAhead, UpgradeRefused) as refused:
            _say_cannot_start(ctx.invoked_subcommand or "", refused)
            ctx.exit(CANNOT_START)

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
        # What a serving process does (requests, jobs, logins, claims) is told on stderr, one line each,
        # as text or JSON (PRORATA_LOG_FORMAT); gunicorn's own lines too.
        from prorata.config.settings import Settings, log_format
        from prorata.entrypoints.log_format import configure_logging

        configure_logging(log_format(os.environ))
        from prorata.entrypoints.cli.stopping import exit_while_starting

        exit_while_starting(context.invoked_subcommand)  # PID 1 in a container: SIGTERM needs a handler
        Settings.from_environment()  # every other setting checked before anything is imported to serve


def _say_cannot_start(command: str, refused: InvalidSetting | SchemaAhead | UpgradeRefused) -> None:
    logged = command in _SERVING and getattr(refused, "variable", "") != "PRORATA_LOG_FORMAT"
    if logged:  # its logs were set up before the rest of its settings were read
        logging.getLogger("prorata.cli").error(
            "prorata %s cannot start: %s", command, refused, extra={"code": refused.code}
        )
    else:
        click.echo(f"prorata {command}: {refused}", err=True)
