"""Use case: a file arrives (SFTP, upload, API). It is kept, and one import job is recorded for it."""

from __future__ import annotations

from pathlib import Path

from prorata.application.access import fetch, require
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal
from prorata.domain.imports.model import ImportJob, ImportSource, ImportStatus
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork


def receive_file(
    uow: UnitOfWork,
    services: Services,
    principal: Principal,
    path: Path,
    original_name: str,
    source: ImportSource,
    community_id: str | None = None,
    mapping_profile_id: str | None = None,
) -> tuple[ImportJob, bool]:
    """The import job for the file, and whether it is new. The same bytes sent again by the same tenant —
    even concurrently — map to the first job (a database constraint decides), and are not imported twice."""
    require(principal, Action.WRITE)
    assert principal.tenant_id is not None
    if community_id is not None:
        fetch(uow.communities, principal, community_id, "community")
    if mapping_profile_id is not None:
        fetch(uow.mapping_profiles, principal, mapping_profile_id, "mapping profile")
    sha, size = services.blobs.put(path)  # kept even when refused below, as every file received is
    services.reader.refuse_unreadable(path, original_name)
    job, new = record_file(
        uow,
        services,
        principal.tenant_id,
        sha,
        size,
        original_name,
        source,
        community_id,
        mapping_profile_id,
    )
    uow.commit()
    if new:
        services.queue.run_import(job.id)
    return job, new


def record_file(
    uow: UnitOfWork,
    services: Services,
    tenant_id: str,
    sha: str,
    size: int,
    original_name: str,
    source: ImportSource,
    community_id: str | None = None,
    mapping_profile_id: str | None = None,
) -> tuple[ImportJob, bool]:
    """The tenant's import job for the stored file (new, or the one the same bytes made before — run again,
    as its retry, when it failed), written in the caller's transaction; whether a worker must run it. The
    caller commits, then sends it to a worker."""
    existing = uow.imports.list(tenant_id, sha256=sha).items
    if existing:
        return _again_if_failed(uow, services, existing[0], community_id, mapping_profile_id)
    now = services.clock.now()
    job = ImportJob(
        id=services.ids.new(),
        tenant_id=tenant_id,
        source=source,
        original_name=original_name[:255],
        sha256=sha,
        size=size,
        received_at=now,
        enqueued_at=now,  # sent right after commit: the sweeper leaves it alone for an interval
        community_id=community_id,
        mapping_profile_id=mapping_profile_id,
    )
    try:
        uow.imports.add(job)  # in a savepoint: a concurrent twin's insert wins, this transaction goes on
    except Conflict:
        return uow.imports.list(tenant_id, sha256=sha).items[0], False
    return job, True


def _again_if_failed(
    uow: UnitOfWork,
    services: Services,
    job: ImportJob,
    community_id: str | None,
    mapping_profile_id: str | None,
) -> tuple[ImportJob, bool]:
    if job.status is not ImportStatus.FAILED:
        return job, False
    again = job.reprocess(community_id, mapping_profile_id, services.clock.now())
    return (again, True) if uow.import_jobs.swap(job, again) else (job, False)
