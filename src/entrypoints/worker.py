"""Workers: the dramatiq actors that process imports, relay events, push notifications and deliver
webhooks, and the sweeper that finds lost jobs and undispatched events."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta

import dramatiq
from dramatiq.middleware import CurrentMessage

from prorata.adapters.dramatiq_deliveries import DELIVER_WEBHOOK, NOTIFICATIONS, SEND_NOTIFICATION, WEBHOOKS
from prorata.adapters.dramatiq_queue import DISPATCH_EVENT, EVENTS, QUEUE, RUN_IMPORT
from prorata.adapters.heartbeat import FileHeartbeat
from prorata.application.event_handlers import handlers
from prorata.application.import_admin import sweep
from prorata.application.notifications import sweep_notifications
from prorata.application.process_import import process_import
from prorata.application.pushes import send_notifications
from prorata.application.relay import dispatch_all
from prorata.application.webhooks import deliver, sweep_deliveries
from prorata.config.bootstrap import Components
from prorata.domain.notifications.model import Notification
from prorata.domain.webhooks.model import WebhookDelivery
from prorata.entrypoints.job_log import JobLog
from prorata.entrypoints.worker_memory import handing_back_memory

log = logging.getLogger(__name__)
MAX_RETRIES = 3


def declare_actors(components: Components) -> dramatiq.Actor:  # type: ignore[type-arg]
    """The import actor and the event relay on the components' broker. Both idempotent: a job already
    taken or finished, or an event already dispatched, is left alone."""
    broker = components.broker
    if CurrentMessage not in [type(m) for m in broker.middleware]:
        broker.add_middleware(CurrentMessage())
    if JobLog not in [type(m) for m in broker.middleware]:
        broker.add_middleware(JobLog(components))  # after Retries: it sees whether a failure is retried

    def run_import(import_id: str) -> None:
        message = CurrentMessage.get_current_message()
        retries = message.options.get("retries", 0) if message else MAX_RETRIES
        with handing_back_memory(), components.unit_of_work() as uow:
            process_import(
                uow,
                components.services,
                import_id,
                components.settings.import_lease,
                last_try=retries >= MAX_RETRIES,
            )

    reactions = handlers(components.services, components.outlets)

    def dispatch_event(*event_ids: str) -> None:  # one, or several committed together
        dispatch_all(components.unit_of_work, components.clock, reactions, list(event_ids))

    _declare_deliveries(components)

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


def _declare_deliveries(components: Components) -> None:
    """The notification and webhook actors. Their retries are their job rows' own (OneSignal's answer,
    the receiver's); dramatiq retries only what broke inside (the database away), and the sweeper sends a
    job again once its lease has run out."""
    outlets = components.outlets

    # What came of each attempt is returned for the job log (a failed one is `retrying`, with its reason).
    def push(*notification_ids: str) -> list[Notification]:  # one, or several sent one after another
        return send_notifications(components.unit_of_work, components.clock, outlets, notification_ids)

    def post(delivery_id: str) -> WebhookDelivery | None:
        return deliver(components.unit_of_work, components.clock, outlets, delivery_id)

    options = {
        "max_retries": 2,
        "min_backoff": 1_000,
        "max_backoff": 10_000,
        "time_limit": int(outlets.lease.total_seconds() * 1000),
    }
    for run, name, queue in ((push, SEND_NOTIFICATION, NOTIFICATIONS), (post, DELIVER_WEBHOOK, WEBHOOKS)):
        dramatiq.Actor(
            run, broker=components.broker, actor_name=name, queue_name=queue, priority=0, options=options
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
                self.sweep_deliveries()
            except Exception:
                log.exception("sweeper failed; trying again")

    def sweep_deliveries(self) -> None:
        parts = self.components
        stale = timedelta(seconds=parts.settings.resend_seconds)
        with parts.unit_of_work() as uow:
            pushes = sweep_notifications(uow, parts.clock, parts.outlets.queue, stale)
        with parts.unit_of_work() as uow:
            posts = sweep_deliveries(uow, parts.clock, parts.outlets.queue, stale)
        if pushes or posts:
            log.info("sweeper re-sent %d notification(s), %d webhook delivery(ies)", len(pushes), len(posts))

    def stop(self) -> None:
        self.stopping.set()


def start_workers(
    components: Components, threads: int, sweep_every: float
) -> tuple[dramatiq.Worker, Sweeper]:
    declare_actors(components)
    worker = dramatiq.Worker(components.broker, worker_threads=threads, worker_timeout=200)
    # From each queue a worker takes no more messages than it has threads (dramatiq's default takes twice
    # as many): a busy worker held the next import while another worker stood idle — at the end of a batch
    # of portfolio files, a whole file's time (bench_scale).
    worker.queue_prefetch = threads
    worker.start()
    sweeper = Sweeper(components, sweep_every)
    sweeper.start()
    return worker, sweeper


def beat_while_alive(
    worker: dramatiq.Worker,
    others: Sequence[threading.Thread],
    heartbeat: FileHeartbeat,
    stop: threading.Event,
    every: float = 1.0,
) -> list[str]:
    """Until `stop`, touches the heartbeat every `every` seconds while every dramatiq consumer and worker
    thread and the `others` (the sweeper) are alive; returns [] when stopped. Their /metrics answer whether
    they live or not: a dead one is told in the log and returned (the threads that died), for the process
    to exit and be started again; its heartbeat goes stale meanwhile."""
    while True:
        dead = _dead_threads(worker, others)
        if dead:
            log.error(
                "%s stopped: this worker no longer does all its work; it exits, for its restart policy "
                "to start it again",
                ", ".join(dead),
            )
            return dead
        heartbeat.beat()
        if stop.wait(every):
            return []


def _dead_threads(worker: dramatiq.Worker, others: Sequence[threading.Thread]) -> list[str]:
    consumers = [(f"the consumer of {queue}", t) for queue, t in list(worker.consumers.items())]
    workers = [("a worker thread", t) for t in list(worker.workers)]
    return [name for name, t in [*consumers, *workers, *((t.name, t) for t in others)] if not t.is_alive()]
