"""`prorata ready`: the checks of GET /ready from the command line, and of the process beside it, for the
containers' healthchecks.

A healthcheck runs it every few seconds in every container, so it wires what it checks from the settings
alone — the database engine, the migrations' head, the broker's client — never the composition root:
with it a run took 1.6 s of CPU, without it 1.2 s (2.6× and 2.2× importing SQLAlchemy alone, load 12)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from prorata.adapters.heartbeat import HEARTBEAT_MAX_AGE_SECONDS
from prorata.config.settings import InvalidSetting

if TYPE_CHECKING:
    from prorata.adapters.readiness import Readiness

NOT_READY = 1
_PORT = click.IntRange(1, 65535)


@click.command("ready")
@click.option("--json", "as_json", is_flag=True, help="Print what GET /ready answers.")
@click.option(
    "--without",
    type=click.Choice(["broker"]),
    multiple=True,
    help="Do not check the broker: for a process that uses none (`prorata sftp`), or that goes on while it "
    "is away (`prorata api` and `prorata watch` record the jobs; the sweeper sends them later).",
)
@click.option(
    "--sftp-port",
    type=_PORT,
    metavar="PORT",
    help="Also: an SSH banner on 127.0.0.1:PORT (this container's `prorata sftp`).",
)
@click.option(
    "--metrics-port",
    type=_PORT,
    metavar="PORT",
    help="Also: a prorata worker's /metrics on 127.0.0.1:PORT (this container's `prorata worker`).",
)
@click.option(
    "--api-port",
    type=_PORT,
    metavar="PORT",
    help="Also: GET /health answers on 127.0.0.1:PORT (this container's `prorata api`).",
)
@click.option(
    "--heartbeat",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also: FILE touched within --max-age seconds (the PRORATA_HEARTBEAT_FILE of this container's "
    "`prorata watch` or `prorata worker`).",
)
@click.option(
    "--max-age",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="With --heartbeat: a heartbeat older than this is a hung process "
    f"(default {HEARTBEAT_MAX_AGE_SECONDS:g}).",
)
def ready(
    as_json: bool,
    without: tuple[str, ...],
    sftp_port: int | None,
    metrics_port: int | None,
    api_port: int | None,
    heartbeat: Path | None,
    max_age: float | None,
) -> None:
    """Exit 0 when the database answers, its schema is at head and the broker answers; else 1, saying
    which failed (what GET /ready checks, for the containers' healthchecks).

    With --sftp-port, --metrics-port or --api-port, also 1 when that process does not answer there (then
    nothing else is asked: it needs a restart whatever the database says). With --heartbeat, also 1 when
    that file is missing or older than --max-age: the process that touches it is hung, though still there."""
    if max_age is not None and heartbeat is None:
        raise click.UsageError("--max-age is the limit of --heartbeat: give --heartbeat FILE with it")
    from prorata.adapters.readiness import Readiness
    from prorata.entrypoints.cli.process_checks import check_api, check_metrics, check_sftp

    asked = {
        "sftp": (check_sftp, sftp_port),
        "metrics": (check_metrics, metrics_port),
        "api": (check_api, api_port),
    }
    own = {name: check(port) for name, (check, port) in asked.items() if port is not None}
    broker = "broker" not in without
    if any(own.values()):
        checks = _unasked(broker, heartbeat) | {k: "failed" if v else "ok" for k, v in own.items()}
        found = Readiness(checks, [failure for failure in own.values() if failure])
    else:
        try:
            depends = _dependencies(broker, heartbeat, max_age or HEARTBEAT_MAX_AGE_SECONDS)
        except InvalidSetting as refused:
            if not as_json:
                raise  # the one line every command says of a setting it cannot use
            depends = _unusable(refused, broker, heartbeat)
        found = Readiness(depends.checks | dict.fromkeys(own, "ok"), depends.failed)
    _tell(found, as_json)
    sys.exit(NOT_READY if found.failed else 0)


def _dependencies(broker: bool, heartbeat: Path | None, max_age: float) -> Readiness:
    from prorata.adapters.readiness import readiness
    from prorata.adapters.sql.engine import make_engine
    from prorata.config.settings import Settings

    settings = Settings.from_environment()
    if settings.database_url.startswith("sqlite"):  # as the components would: its file is made there
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    client = None
    if broker:
        from prorata.adapters.dramatiq_queue import make_broker

        client = make_broker(settings.broker_url, settings.broker_namespace)
    try:
        return readiness(engine, client, heartbeat, max_age)
    finally:
        if client is not None:
            client.close()
        engine.dispose()


def _unusable(refused: InvalidSetting, broker: bool, heartbeat: Path | None) -> Readiness:
    """A setting it cannot use, told as a failed check (for --json): nothing else could be asked."""
    from prorata.adapters.readiness import NotReady, Readiness

    checks = {"settings": "failed"} | _unasked(broker, heartbeat)
    return Readiness(checks, [NotReady("settings", refused.code, str(refused))])


def _unasked(broker: bool, heartbeat: Path | None) -> dict[str, str]:
    """The dependencies' checks, each `unknown`: not asked, as something failed before them."""
    named = ["database", "migrations"] + (["broker"] if broker else []) + (["heartbeat"] if heartbeat else [])
    return dict.fromkeys(named, "unknown")


def _tell(found: Readiness, as_json: bool) -> None:
    if as_json:
        problems = [{"code": f.code, "message": f.message, "check": f.check} for f in found.failed]
        body = {"errors": problems} if problems else {"status": "ready"}
        click.echo(json.dumps({**body, "checks": found.checks}))
        return
    for problem in found.failed:
        click.echo(f"{problem.check}: {problem.message}", err=True)
    if not found.failed:
        click.echo("ready: " + ", ".join(f"{k} {v}" for k, v in found.checks.items()))
