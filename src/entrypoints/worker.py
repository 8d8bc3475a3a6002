"""Workers: the dramatiq actor that processes imports, and the sweeper that finds lost jobs."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import dramatiq
from dramatiq.middleware import CurrentMessage

from prorata.adapters.dramatiq_queue import QUEUE, RUN_IMPORT
from prorata.application.import_admin import sweep
from prorata.application.process_import import process_import
from prorata.config.bootstrap import Components
from prorata.domain.imports.model import IN_PROGRESS, ImportStatus

log = logging.getLogger(__name__)
MAX_RETRIES = 3


def declare_actors(components: Components) -> dramatiq.Actor:  # type: ignore[type-arg]
    """The import actor on the components' broker. Idempotent: a job already taken or finished is left."""
    broker = components.broker
    if CurrentMessage not in [type(m) for m in broker.middleware]:
        broker.add_middleware(CurrentMessage())

    def run_import(import_id: str) -> None:
        try:
            with components.unit_of_work() as uow:
                process_import(
                    uow,
                    components.blobs,
                    components.spreadsheet_reader,
                    components.ids,
                    components.clock,
                    import_id,
                    components.settings.import_lease,
                )
        except Exception as error:
            message = CurrentMessage.get_current_message()
            retries = message.options.get("retries", 0) if message else MAX_RETRIES
            _release(
                components,
                import_id,
                None if retries < MAX_RETRIES else f"gave up after {retries + 1} attempts: {error}",
            )
            raise

    return dramatiq.Actor(
        run_import,
        broker=broker,
        actor_name=RUN_IMPORT,
        queue_name=QUEUE,
        priority=0,
        options={"max_retries": MAX_RETRIES, "min_backoff": 1_000, "max_backoff": 60_000},
    )


def _release(components: Components, import_id: str, failure: str | None) -> None:
    """Let the next attempt claim the job at once — or, retries exhausted, end it as failed."""
    with components.unit_of_work() as uow:
        job = uow.imports.get(None, import_id)
        if job is None or job.status not in IN_PROGRESS:
            return
        if failure is None:
            uow.imports.update(replace(job, status=ImportStatus.RECEIVED, lease_until=None))
        else:
            uow.imports.update(job.fail(failure[:500], components.clock.now()))
        uow.commit()


class Sweeper(threading.Thread):
    """Every `interval` seconds, re-sends the jobs that no worker holds."""

    def __init__(self, components: Components, interval: float) -> None:
        super().__init__(name="prorata-sweeper", daemon=True)
        self.components = components
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                with self.components.unit_of_work() as uow:
                    sent = sweep(uow, self.components.clock, self.components.queue)
                if sent:
                    log.info("sweeper re-sent %d import(s)", len(sent))
            except Exception:
                log.exception("sweeper failed; trying again")

    def stop(self) -> None:
        self.stopping.set()


def start_workers(
    components: Components, threads: int, sweep_every: float
) -> tuple[dramatiq.Worker, Sweeper]:
    declare_actors(components)
    worker = dramatiq.Worker(components.broker, worker_threads=threads, worker_timeout=200)
    worker.start()
    sweeper = Sweeper(components, sweep_every)
    sweeper.start()
    return worker, sweeper
