"""Workers: the dramatiq actors that process imports and relay events, and the sweeper that finds lost
jobs and undispatched events."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import dramatiq
from dramatiq.middleware import CurrentMessage

from prorata.adapters.dramatiq_queue import DISPATCH_EVENT, EVENTS, QUEUE, RUN_IMPORT
from prorata.application.event_handlers import handlers
from prorata.application.import_admin import sweep
from prorata.application.process_import import process_import
from prorata.application.relay import dispatch
from prorata.config.bootstrap import Components

log = logging.getLogger(__name__)
MAX_RETRIES = 3


def declare_actors(components: Components) -> dramatiq.Actor:  # type: ignore[type-arg]
    """The import actor and the event relay on the components' broker. Both idempotent: a job already
    taken or finished, or an event already dispatched, is left alone."""
    broker = components.broker
    if CurrentMessage not in [type(m) for m in broker.middleware]:
        broker.add_middleware(CurrentMessage())

    def run_import(import_id: str) -> None:
        message = CurrentMessage.get_current_message()
        retries = message.options.get("retries", 0) if message else MAX_RETRIES
        with components.unit_of_work() as uow:
            process_import(
                uow,
                components.services,
                import_id,
                components.settings.import_lease,
                last_try=retries >= MAX_RETRIES,
            )

    reactions = handlers(components.services)

    def dispatch_event(event_id: str) -> None:
        dispatch(components.unit_of_work, components.clock, reactions, event_id)

    lease_ms = int(components.settings.import_lease.total_seconds() * 1000)
    retrying = {"max_retries": MAX_RETRIES, "min_backoff": 1_000, "max_backoff": 60_000}
    # An event's retries end well within the sweeper's resend interval, which then sends it again: one
    # chain of deliveries at a time, never a pile of them.
    dramatiq.Actor(
        dispatch_event,
        broker=broker,
        actor_name=DISPATCH_EVENT,
        queue_name=EVENTS,
        priority=0,
        options={"max_retries": 2, "min_backoff": 1_000, "max_backoff": 30_000},
    )
    # An attempt may run as long as its lease: past it another worker may take the job over anyway.
    return dramatiq.Actor(
        run_import,
        broker=broker,
        actor_name=RUN_IMPORT,
        queue_name=QUEUE,
        priority=0,
        options={**retrying, "time_limit": lease_ms},
    )


class Sweeper(threading.Thread):
    """Every `interval` seconds, re-sends the jobs that no worker holds and the events not dispatched,
    each at most once per `PRORATA_RESEND_SECONDS` whatever the number of sweeping processes."""

    def __init__(self, components: Components, interval: float) -> None:
        super().__init__(name="prorata-sweeper", daemon=True)
        self.components = components
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                with self.components.unit_of_work() as uow:
                    sent = sweep(
                        uow,
                        self.components.clock,
                        self.components.queue,
                        timedelta(seconds=self.components.settings.resend_seconds),
                    )
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
