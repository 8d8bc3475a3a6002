"""Use cases for support and for the sweeper: reprocess, cancel, and find jobs a lost message left behind."""

from __future__ import annotations

from datetime import timedelta

from prorata.application.access import fetch
from prorata.application.errors import Forbidden
from prorata.domain.access.principal import Principal, Role
from prorata.domain.imports.model import IN_PROGRESS, RUNNABLE, ImportJob, ImportStatus
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.task_queue import TaskQueue
from prorata.domain.ports.unit_of_work import UnitOfWork

# A job still `received` this long after arriving lost its message: the sweeper sends another.
STALE = timedelta(minutes=2)


def _support(principal: Principal) -> None:
    if principal.role is not Role.SUPPORT:
        raise Forbidden("only support staff may reprocess or cancel imports")


def reprocess(
    uow: UnitOfWork,
    queue: TaskQueue,
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
    again = job.reprocess(community_id, mapping_profile_id)
    uow.imports.update(again)
    uow.commit()
    queue.run_import(again.id)
    return again


def cancel(uow: UnitOfWork, clock: Clock, principal: Principal, import_id: str) -> ImportJob:
    _support(principal)
    job = fetch(uow.imports, principal, import_id, "import")
    if job.status in (ImportStatus.PUBLISHED, ImportStatus.CANCELLED):
        raise Conflict(f"import {import_id} is {job.status.value}")
    cancelled = job.cancel(clock.now())
    uow.imports.update(cancelled)
    uow.commit()
    return cancelled


def sweep(uow: UnitOfWork, clock: Clock, queue: TaskQueue) -> list[str]:
    """Re-send the jobs no worker holds: received long ago, or in progress past their lease."""
    now = clock.now()
    found = []
    for job in uow.imports.list(None, status=[s.value for s in RUNNABLE]).items:
        if job.status is ImportStatus.RECEIVED and job.received_at + STALE > now and job.generation == 0:
            continue
        if job.status in IN_PROGRESS and job.lease_until is not None and job.lease_until > now:
            continue
        queue.run_import(job.id)
        found.append(job.id)
    return found
