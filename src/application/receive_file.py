"""Use case: a file arrives (SFTP, upload, API). It is kept, and one import job is recorded for it."""

from __future__ import annotations

from pathlib import Path

from prorata.application.access import fetch, require
from prorata.domain.access.principal import Action, Principal
from prorata.domain.imports.model import ImportJob, ImportSource
from prorata.domain.ports.blob_store import BlobStore
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.task_queue import TaskQueue
from prorata.domain.ports.unit_of_work import UnitOfWork


def receive_file(
    uow: UnitOfWork,
    blobs: BlobStore,
    ids: IdGenerator,
    clock: Clock,
    queue: TaskQueue,
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
    sha, size = blobs.put(path)
    existing = uow.imports.list(principal.tenant_id, sha256=sha).items
    if existing:
        return existing[0], False
    job = ImportJob(
        id=ids.new(),
        tenant_id=principal.tenant_id,
        source=source,
        original_name=original_name[:255],
        sha256=sha,
        size=size,
        received_at=clock.now(),
        community_id=community_id,
        mapping_profile_id=mapping_profile_id,
    )
    try:
        uow.imports.add(job)
        uow.commit()
    except Conflict:
        uow.rollback()
        return uow.imports.list(principal.tenant_id, sha256=sha).items[0], False
    queue.run_import(job.id)
    return job, True
