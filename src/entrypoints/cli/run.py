"""`prorata run`: everything in one process on embedded defaults — the REST API (gunicorn), import workers
on an in-process broker, the SFTP drop zone and its watcher — for a laptop or a small office.

"One process" is gunicorn's single worker process: the master prepares the database, forks it and only
supervises. One worker, because the in-process broker and the SFTP port can exist only once."""

from __future__ import annotations

import socket
import sys
from typing import TYPE_CHECKING

import click

from prorata.entrypoints.cli.startup import require_reachable

if TYPE_CHECKING:
    from prorata.config.bootstrap import Components


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int, help="REST API port.")
@click.option("--sftp-port", default=2222, show_default=True, type=int, help="SFTP drop-zone port.")
@click.option(
    "--demo",
    is_flag=True,
    help="Make (or find again) a demo tenant — a community with residents, an SFTP login, the sample file "
    "imported and published — and print its keys and the first steps.",
)
def run(host: str, port: int, sftp_port: int, demo: bool) -> None:
    """Run the API, workers, SFTP drop zone and watcher together (SQLite, in-process broker by default)."""
    # The components, gunicorn, Flask, the workers, SSH: imported to serve, not by `--help` (10× its time).
    from prorata.config.bootstrap import bootstrap
    from prorata.entrypoints.background import Background
    from prorata.entrypoints.cli.api_server import serve_api
    from prorata.entrypoints.cli.demo import prepare_demo

    _require_free(
        host, {"REST API": ("PORT", "--port", port), "SFTP": ("SFTP_PORT", "--sftp-port", sftp_port)}
    )
    parts = bootstrap()
    require_reachable(parts, "run")
    parts.upgrade_database()
    click.echo(_listening(parts, host, port, sftp_port), err=True)
    if demo:
        prepare_demo(parts, host, port, sftp_port)
    parts.engine.dispose()  # the serving process opens its own connections; none is inherited
    serve_api(host, port, workers=1, background=Background(workers=True, sftp=(host, sftp_port), watch=True))


def _require_free(host: str, ports: dict[str, tuple[str, str, int]]) -> None:
    """Before anything is printed or prepared: a port out of range, then a taken one, is named, with how
    to choose another (every range first: a bad option is not hidden behind another part's busy port)."""
    for part, (_, _, port) in ports.items():
        if not 0 <= port <= 65535:
            click.echo(f"cannot start: the {part} port {port} is not a port (0-65535)", err=True)
            sys.exit(1)
    for part, (variable, option, port) in ports.items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                click.echo(
                    f"cannot start: the {part} port {port} on {host} is taken ({error.strerror}); another "
                    f"prorata may be running. Choose another: `make run {variable}={port + 1}` or "
                    f"`prorata run {option} {port + 1}`",
                    err=True,
                )
                sys.exit(1)


def _listening(parts: Components, host: str, port: int, sftp_port: int) -> str:
    """Where each part listens, and what it runs on."""
    settings = parts.settings
    broker = settings.broker_url.split("@")[-1] if settings.broker_url else "the in-process broker"
    return "\n".join(
        [
            "prorata is starting (Ctrl-C stops every part):",
            f"  REST API    http://{host}:{port}   (docs /docs, OpenAPI /openapi.json, health /health)",
            f"  SFTP        {host}:{sftp_port}   drop zone {settings.drop_root.resolve()}, watched",
            f"  workers     {settings.worker_threads} threads on {broker}",
            f"  database    {parts.engine.url.render_as_string(hide_password=True)}",
            f"  files       {settings.data_dir.resolve()}",
        ]
    )
