"""`prorata sftp`, `prorata sftp-users add|list|remove` and `prorata watch`. Each imports the components,
its use cases and the SSH server when it runs: `--help` loads little but click (with them, 10× longer)."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from prorata.entrypoints.cli.startup import require_reachable
from prorata.entrypoints.cli.stopping import until_signalled

if TYPE_CHECKING:
    from prorata.config.bootstrap import Components
    from prorata.domain.dropzone.model import DropAccount
    from prorata.entrypoints.sftp.server import DropZoneServer

USAGE_ERROR = 2
log = logging.getLogger("prorata.cli")  # a serving command's own lines, in the chosen log format
# On SIGTERM, SFTP sessions in progress get this long to end (an upload to finish) before they are cut.
SFTP_DRAIN_SECONDS = 10.0
SFTP_STOPPED = 1  # the server stopped serving by itself: exit for the supervisor to restart it


def drop_zone_server(parts: Components) -> DropZoneServer:
    from prorata.application import dropzone
    from prorata.application.logins import LoginGuard
    from prorata.domain.dropzone.throttle import LoginPolicy
    from prorata.entrypoints.sftp.server import DropZoneConfig, DropZoneServer, load_host_key  # paramiko

    def find(username: str) -> DropAccount | None:
        with parts.unit_of_work() as uow:
            return dropzone.find_account(uow, username)

    settings = parts.settings
    config = DropZoneConfig(
        settings.drop_root,
        settings.sftp_max_upload_bytes,
        find,
        parts.clock.now,
        max_startups=settings.sftp_max_startups,
        max_startups_per_address=settings.sftp_max_startups_per_address,
        login_seconds=settings.sftp_login_seconds,
    )
    policy = LoginPolicy(
        max_failures=settings.sftp_max_failures,
        max_address_failures=settings.sftp_address_max_failures,
        max_account_failures=settings.sftp_account_max_failures,
        ban=timedelta(seconds=settings.sftp_ban_seconds),
        ipv6_prefix=settings.sftp_ipv6_prefix,
    )
    guard = LoginGuard(parts.login_ledger, policy, parts.clock)
    return DropZoneServer(config, load_host_key(settings.sftp_host_key), guard)


@click.command("sftp")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2222, show_default=True, type=int)
@click.option(
    "--drain-seconds",
    default=SFTP_DRAIN_SECONDS,
    show_default=True,
    type=click.FloatRange(min=0),
    help="On SIGTERM, how long uploads in progress get to end before they are discarded whole.",
)
def sftp(host: str, port: int, drain_seconds: float) -> None:
    """Serve the SFTP drop zone: each account jailed in its folder under PRORATA_DATA_DIR/dropzone."""
    from prorata.config.bootstrap import bootstrap
    from prorata.entrypoints.cli.ports import cannot_listen

    parts = bootstrap()
    require_reachable(parts, "sftp", broker=False)  # it only writes files and logins
    parts.upgrade_database()
    server = drop_zone_server(parts)
    try:
        listener = server.listen(host, port)
    except (OSError, OverflowError) as error:
        cannot_listen("sftp", "listen", host, port, error, "--host", "--port")
    stop = threading.Event()
    until_signalled(stop)
    thread = threading.Thread(
        target=server.serve_on,
        args=(listener, lambda p: log.info("prorata sftp listening on %s:%d", host, p)),
        daemon=True,
    )
    thread.start()
    while thread.is_alive() and not stop.wait(0.5):
        pass
    # No new session from now on; an upload in progress lands if it ends within the drain time, else it
    # is discarded whole (the client sees its transfer fail and sends it again).
    if stop.is_set():
        log.info("prorata sftp: stopping; uploads in progress have %g s to finish", drain_seconds)
    server.stop(drain_seconds=drain_seconds)
    thread.join(timeout=5)
    if not stop.is_set():
        log.error("prorata sftp: the server stopped serving; exiting for the supervisor to restart it")
        sys.exit(SFTP_STOPPED)


@click.group("sftp-users")
def sftp_users() -> None:
    """Drop-zone accounts of the tenants' legacy systems."""


@sftp_users.command("add")
@click.option("--tenant", "tenant_id", required=True)
@click.option("--username", required=True)
@click.option(
    "--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="OpenSSH .pub"
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def sftp_users_add(tenant_id: str, username: str, public_key: Path | None, password_stdin: bool) -> None:
    """Add an account that logs in with a public key, a password, or either."""
    if public_key is None and not password_stdin:
        click.echo("give --public-key FILE or --password-stdin", err=True)
        sys.exit(USAGE_ERROR)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and not password:
        click.echo("the password read from standard input is empty", err=True)
        sys.exit(USAGE_ERROR)
    from prorata.adapters.passwords import hash_password
    from prorata.application import dropzone
    from prorata.application.errors import NotFound
    from prorata.config.bootstrap import bootstrap
    from prorata.domain.ports.repository import Conflict

    parts = bootstrap()
    parts.upgrade_database()
    key = public_key.read_text(encoding="utf-8").strip() if public_key else None
    try:
        with parts.unit_of_work() as uow:
            account = dropzone.add_account(
                uow,
                parts.ids,
                parts.clock,
                tenant_id,
                username,
                hash_password(password) if password else None,
                key,
            )
    except (ValueError, NotFound, Conflict) as error:
        click.echo(f"cannot add {username}: {error}", err=True)
        sys.exit(USAGE_ERROR)
    (parts.settings.drop_root / account.username).mkdir(parents=True, exist_ok=True)
    click.echo(json.dumps({"id": account.id, "username": account.username, "tenant": account.tenant_id}))


@sftp_users.command("list")
def sftp_users_list() -> None:
    from prorata.config.bootstrap import bootstrap

    parts = bootstrap()
    parts.upgrade_database()
    with parts.unit_of_work() as uow:
        accounts = uow.drop_accounts.list(None).items
    for account in accounts:
        methods = ",".join(
            m for m, on in (("password", account.password_hash), ("publickey", account.public_keys)) if on
        )
        click.echo(f"{account.username}\t{account.tenant_id}\t{methods}")


@sftp_users.command("remove")
@click.option("--username", required=True)
def sftp_users_remove(username: str) -> None:
    from prorata.application import dropzone
    from prorata.config.bootstrap import bootstrap

    parts = bootstrap()
    parts.upgrade_database()
    with parts.unit_of_work() as uow:
        if not dropzone.remove_account(uow, username):
            click.echo(f"no account {username}", err=True)
            sys.exit(USAGE_ERROR)
    click.echo(f"removed {username}")


@click.command("watch")
def watch() -> None:
    """Watch the drop zone and import every completed file exactly once."""
    from prorata.config.bootstrap import bootstrap
    from prorata.entrypoints.watcher import DropWatcher
    from prorata.entrypoints.worker import start_workers

    parts = bootstrap()
    require_reachable(parts, "watch")
    parts.upgrade_database()
    stop = threading.Event()
    until_signalled(stop)
    pool = None
    if not parts.settings.broker_url:  # no broker server: this process imports what it claims
        pool = start_workers(parts, parts.settings.worker_threads, parts.settings.sweep_seconds)
    watcher = DropWatcher(
        parts,
        parts.settings.drop_root,
        parts.settings.drop_stable_seconds,
        parts.settings.drop_rescan_seconds,
    )
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    log.info("prorata watch: %s", parts.settings.drop_root)
    while thread.is_alive() and not stop.wait(0.5):
        pass
    if stop.is_set():
        also = "; so do the imports this process started" if pool is not None else ""
        log.info("prorata watch: stopping; the file being claimed finishes first%s", also)
    watcher.stop()
    thread.join(timeout=10)
    if pool is not None:  # the imports it claimed and is running finish first
        worker, sweeper = pool
        sweeper.stop()
        worker.stop()
    if not stop.is_set():
        sys.exit(1)  # the watcher died: let the supervisor restart it
