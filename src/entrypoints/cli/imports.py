"""`prorata import FILE --tenant ID` and `prorata worker`. Each imports the components and its use cases
when it runs: `--help` loads little but click (with them, 10× longer)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from prorata.config.bootstrap import Components
    from prorata.domain.imports.model import ImportJob
    from prorata.domain.ports.unit_of_work import UnitOfWork

FAILED = 2
FAILED_WORKER = 1
# A serving command's own lines go through logging: in the chosen format (PRORATA_LOG_FORMAT), like all.
log = logging.getLogger("prorata.cli")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "tenant_id", required=True, help="The tenant the file belongs to.")
@click.option("--community", "community_id", help="The community, when the file has no community column.")
@click.option("--mapping-profile", "profile_id", help="A mapping profile for a layout no synonym knows.")
def import_command(file: Path, tenant_id: str, community_id: str | None, profile_id: str | None) -> None:
    """Import a file now, showing its progress; the same file twice is the same import."""
    from prorata.application.receive_file import record_file
    from prorata.config.bootstrap import bootstrap
    from prorata.domain.imports.model import ImportSource, ImportStatus

    parts = bootstrap()
    parts.upgrade_database()
    with parts.tenant_unit_of_work(tenant_id) as uow:
        missing = _missing(uow, tenant_id, community_id, profile_id)
        if missing:
            click.echo(missing, err=True)
            sys.exit(FAILED)
        sha, size = parts.blobs.put(file)
        job, new = record_file(
            uow,
            parts.services,
            tenant_id,
            sha,
            size,
            file.name,
            ImportSource.API,
            community_id,
            profile_id,
        )
        uow.commit()
    if not new:
        click.echo(f"{file.name} was received before as import {job.id}", err=True)
    worker = threading.Thread(target=_process, args=(parts, job.id), daemon=True)
    worker.start()
    with click.progressbar(length=100, label=f"importing {file.name}", file=sys.stderr) as bar:
        shown = 0
        while worker.is_alive():
            shown = _advance(bar, parts, job.id, shown)
            time.sleep(0.1)
        _advance(bar, parts, job.id, shown, done=True)
    with parts.unit_of_work() as uow:
        final = uow.imports.get(None, job.id)
        errors = uow.import_errors.list(None, import_id=job.id, limit=20)
    assert final is not None
    _report(final, [e.problem.message for e in errors.items], errors.total)
    sys.exit(FAILED if final.status is ImportStatus.FAILED else 0)


def _missing(uow: UnitOfWork, tenant_id: str, community_id: str | None, profile_id: str | None) -> str | None:
    if uow.tenants.get(None, tenant_id) is None:
        return f"no tenant {tenant_id}"
    if community_id is not None and uow.communities.get(tenant_id, community_id) is None:
        return f"no community {community_id} in tenant {tenant_id}"
    if profile_id is not None and uow.mapping_profiles.get(tenant_id, profile_id) is None:
        return f"no mapping profile {profile_id} in tenant {tenant_id}"
    return None


def _process(parts: Components, import_id: str) -> None:  # the CLI processes the file itself
    from prorata.application.process_import import process_import

    with parts.unit_of_work() as uow:
        process_import(uow, parts.services, import_id)


def _advance(bar: Any, parts: Components, import_id: str, shown: int, done: bool = False) -> int:
    with parts.unit_of_work() as uow:
        job = uow.imports.get(None, import_id)
    stage = 100 if done or job is None else job.progress
    if stage > shown:
        bar.update(stage - shown)
    return max(stage, shown)


def _report(job: ImportJob, errors: list[str], total_errors: int) -> None:
    click.echo(f"import {job.id}: {job.status.value}" + (f" — {job.reason}" if job.reason else ""))
    click.echo(f"rows: {job.rows_total} total, {job.rows_accepted} accepted, {job.rows_rejected} rejected")
    for message in errors:
        click.echo(f"  {message}")
    if total_errors > len(errors):
        click.echo(f"  … and {total_errors - len(errors)} more")


@click.command("worker")
@click.option(
    "--threads", type=click.IntRange(min=1), help="Worker threads (default PRORATA_WORKER_THREADS)."
)
def worker_command(threads: int | None) -> None:
    """Process imports from the broker (PRORATA_BROKER_URL: amqp:// or redis://) until stopped."""
    from prorata.adapters.heartbeat import FileHeartbeat
    from prorata.config.bootstrap import bootstrap
    from prorata.entrypoints.cli.startup import require_reachable
    from prorata.entrypoints.cli.stopping import until_signalled
    from prorata.entrypoints.worker import beat_while_alive, start_workers

    parts = bootstrap()
    require_reachable(parts, "worker")
    parts.upgrade_database()
    settings = parts.settings
    stop = threading.Event()
    until_signalled(stop)  # before any thread starts: a signal from now on stops them in order
    stop_metrics, metrics = None, ""
    if settings.worker_metrics_port:  # the middleware goes on the broker before the worker starts
        from prorata.entrypoints.cli.ports import cannot_listen
        from prorata.entrypoints.worker_metrics import serve_worker_metrics

        host, port = settings.worker_metrics_host, settings.worker_metrics_port
        try:
            stop_metrics = serve_worker_metrics(parts.broker, host, port)
        except (OSError, OverflowError) as error:
            settings_named = ("PRORATA_WORKER_METRICS_HOST", "PRORATA_WORKER_METRICS_PORT")
            cannot_listen("worker", "serve its metrics", host, port, error, *settings_named)
        metrics = f"; metrics on http://{host}:{port}/metrics"
    worker, sweeper = start_workers(parts, threads or settings.worker_threads, settings.sweep_seconds)
    count, broker = threads or settings.worker_threads, type(parts.broker).__name__
    log.info("prorata worker: %d thread(s) on %s%s", count, broker, metrics)  # it is working now
    dead = beat_while_alive(worker, [sweeper], FileHeartbeat(settings.heartbeat_file), stop)  # or signalled
    # Jobs in progress finish (each within its lease); messages taken but not started go back to the
    # broker. A process killed before that loses nothing: its jobs' leases run out and a sweeper resends.
    log.info("prorata worker: stopping; jobs in progress finish first")
    sweeper.stop()
    worker.stop()
    if stop_metrics is not None:
        stop_metrics()
    if dead:  # a thread of it died: exit 1, for its restart policy (compose: unless-stopped) to start anew
        sys.exit(FAILED_WORKER)
