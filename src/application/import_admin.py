"""Use cases for support and for the sweeper: reprocess, cancel, and find jobs a lost message left behind."""

from __future__ import annotations

from datetime import timedelta

from prorata.application.access import fetch
from prorata.application.errors import Forbidden
from prorata.application.import_readings import discard_file_readings
from prorata.application.services import Services
from prorata.domain.access.principal import Principal, Role
from prorata.domain.imports.model import IN_PROGRESS, ImportJob, ImportStatus
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.task_queue import TaskQueue
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.settlement.stored import SettlementStatus

# A job or event not taken this long after it was last sent lost its message: the sweeper sends another.
# Longer than the broker's longest retry backoff (60 s), so a released job waits for its retry.
STALE = timedelta(minutes=2)


def _support(principal: Principal) -> None:
    if principal.role is not Role.SUPPORT:
        raise Forbidden("only support staff may reprocess or cancel imports")


def reprocess(
    uow: UnitOfWork,
    services: Services,
    principal: Principal,
    import_id: str,
    community_id: str | None = None,
    mapping_profile_id: str | None = None,
) -> ImportJob:
    """Run the file again, optionally with another community or mapping profile. What it produced and
    nobody published is replaced; a published settlement gets one correction draft, never a duplicate."""
    _support(principal)
    job = fetch(uow.imports, principal, import_id, "import")
    if job.status in IN_PROGRESS:
        raise Conflict(f"import {import_id} is being processed; try again when it ends")
    if community_id is not None and uow.communities.get(job.tenant_id, community_id) is None:
        raise Conflict(f"community {community_id} is not the import's tenant's")
    if mapping_profile_id is not None and uow.mapping_profiles.get(job.tenant_id, mapping_profile_id) is None:
        raise Conflict(f"mapping profile {mapping_profile_id} is not the import's tenant's")
    again = job.reprocess(community_id, mapping_profile_id, services.clock.now())
    if not uow.import_jobs.swap(job, again):
        raise Conflict(f"import {import_id} changed meanwhile; try again")
    uow.commit()
    services.queue.run_import(again.id)
    return again


def cancel(uow: UnitOfWork, clock: Clock, principal: Principal, import_id: str) -> ImportJob:
    """Stop the import for good. A worker processing it loses its job: nothing its attempt did is kept.
    What it produced before and nobody published is discarded with it, its file's readings too."""
    _support(principal)
    for _ in range(5):
        job = fetch(uow.imports, principal, import_id, "import")
        if job.status in (ImportStatus.PUBLISHED, ImportStatus.CANCELLED):
            raise Conflict(f"import {import_id} is {job.status.value}")
        cancelled, event = job.cancel(clock.now())
        # What it produced goes first, the job's row last: a worker settling it meanwhile holds those
        # rows and then wants the job's; taking them in the same order never deadlocks.
        _discard_drafts(uow, job)
        discard_file_readings(uow, job)
        if uow.import_jobs.swap(job, cancelled):
            uow.emit(event)
            uow.commit()
            return cancelled
        uow.rollback()  # a worker moved it on meanwhile: look again
    raise Conflict(f"import {import_id} keeps changing; try again")


def _discard_drafts(uow: UnitOfWork, job: ImportJob) -> None:
    for settlement in uow.settlements.list(job.tenant_id, import_id=job.id).items:
        if settlement.status is SettlementStatus.DRAFT and settlement.origin is not None:
            uow.settlements.delete(settlement)


def sweep(uow: UnitOfWork, clock: Clock, queue: TaskQueue, stale: timedelta = STALE) -> list[str]:
    """Re-send the jobs no worker holds (waiting, or in progress past their lease) and the events not yet
    dispatched — each at most once per `stale` interval, however many processes sweep: a conditional
    write decides which sweeper sends. Returns the import ids sent."""
    now = clock.now()
    before = now - stale
    jobs = [id for id in uow.import_jobs.due(now, before) if uow.import_jobs.mark_sent(id, now, before)]
    events = [id for id in uow.outbox.due(before) if uow.outbox.mark_sent(id, now, before)]
    uow.commit()
    for id in jobs:
        queue.run_import(id)
    for id in events:
        queue.dispatch_event(id)
    return jobs
