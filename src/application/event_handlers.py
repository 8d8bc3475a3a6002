"""What happens after an event: the handlers the relay runs, each idempotent."""

from __future__ import annotations

from collections.abc import Sequence

from prorata.application import dropzone
from prorata.application.notifications import notify_all
from prorata.application.outlets import Outlets
from prorata.application.relay import AfterCommit, Handler
from prorata.application.services import Services
from prorata.application.webhooks import deliver_all_webhooks
from prorata.domain.events import (
    DomainEvent,
    ImportEnded,
    ReceiptMoved,
    SettlementCreated,
    SettlementPublished,
)
from prorata.domain.imports.model import ImportStatus
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.outbox import StoredEvent
from prorata.domain.ports.task_queue import TaskQueue
from prorata.domain.ports.unit_of_work import UnitOfWork


def handlers(services: Services, outlets: Outlets | None = None) -> list[Handler]:
    """The handlers of every event; with `outlets`, residents' notifications and webhook deliveries (one
    per event and webhook) too. Those two take many events to a transaction."""

    def resume(uow: UnitOfWork, event: DomainEvent) -> AfterCommit:
        assert isinstance(event, SettlementCreated)
        return resume_awaiting_imports(uow, services.clock, services.queue, event)

    def report(uow: UnitOfWork, event: DomainEvent) -> AfterCommit:
        assert isinstance(event, ImportEnded)
        dropzone.report_ended_import(uow, services.drop_outcomes, event)
        return None

    found = [
        Handler("resume_awaiting_imports", (SettlementCreated,), resume),
        Handler("report_dropped_file", (ImportEnded,), report),
    ]
    if outlets is None:
        return found
    told = outlets

    def notify(uow: UnitOfWork, stored: Sequence[StoredEvent]) -> AfterCommit:
        moves = [s.event for s in stored if isinstance(s.event, ReceiptMoved)]
        return notify_all(uow, services, told, moves)

    def call_webhooks(uow: UnitOfWork, stored: Sequence[StoredEvent]) -> AfterCommit:
        return deliver_all_webhooks(uow, services, told, stored)

    every = (ImportEnded, SettlementCreated, SettlementPublished, ReceiptMoved)
    found.append(Handler("notify_residents", (ReceiptMoved,), run_all=notify))
    found.append(Handler("deliver_webhooks", every, run_all=call_webhooks))
    return found


def resume_awaiting_imports(
    uow: UnitOfWork, clock: Clock, queue: TaskQueue, event: SettlementCreated
) -> AfterCommit:
    """A draft with costs was created for a community: the tenant's imports awaiting costs run again (an
    import whose communities still have none goes back to waiting). Sent to workers after commit."""
    if event.from_file:
        return None
    now = clock.now()
    resumed = []
    for job in uow.imports.list(event.tenant_id, status=ImportStatus.AWAITING_COSTS.value).items:
        if job.community_id not in (None, event.community_id):
            continue  # uploaded for another community; a file with a community column may hold this one
        if uow.import_jobs.swap(job, job.resume(now)):
            resumed.append(job.id)
    if not resumed:
        return None

    def send() -> None:
        for id in resumed:
            queue.run_import(id)

    return send
