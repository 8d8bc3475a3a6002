"""Use case: a manager runs an import of theirs again — typically a failed one, with the community or the
mapping profile it lacked. Support's reprocess (import_admin) is for any import, published ones included."""

from __future__ import annotations

from prorata.application.access import fetch, require
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal
from prorata.domain.imports.model import RETRYABLE, ImportJob
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork


def retry(
    uow: UnitOfWork,
    services: Services,
    principal: Principal,
    import_id: str,
    community_id: str | None = None,
    mapping_profile_id: str | None = None,
) -> ImportJob:
    """The import sent again, as one more generation of the same job (its file, its row errors replaced).
    Refused with Conflict while it is being processed, or once it settled (support reprocesses those)."""
    require(principal, Action.WRITE)
    job = fetch(uow.imports, principal, import_id, "import")
    if community_id is not None:
        fetch(uow.communities, principal, community_id, "community")
    if mapping_profile_id is not None:
        fetch(uow.mapping_profiles, principal, mapping_profile_id, "mapping profile")
    if job.status not in RETRYABLE:
        raise Conflict(
            f"import {import_id} is {job.status.value}: only an import that did not settle is retried"
        )
    again = job.reprocess(community_id, mapping_profile_id, services.clock.now())
    if not uow.import_jobs.swap(job, again):
        raise Conflict(f"import {import_id} changed meanwhile; try again")
    uow.commit()
    services.queue.run_import(again.id)
    return again
