"""Use cases of the SFTP drop zone: accounts, claiming a file exactly once, handing it to the import
pipeline, and the outcome a legacy system fetches back."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from prorata.application.errors import NotFound
from prorata.application.receive_file import receive_file
from prorata.domain.access.principal import Principal, Role
from prorata.domain.dropzone.model import (
    VALID_USERNAME,
    ClaimState,
    DropAccount,
    DropClaim,
    community_code_of,
)
from prorata.domain.imports.model import ImportJob, ImportSource, ImportStatus
from prorata.domain.ports.blob_store import BlobStore
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.task_queue import TaskQueue
from prorata.domain.ports.unit_of_work import UnitOfWork

FINAL = (
    ImportStatus.AWAITING_COSTS,
    ImportStatus.SETTLED,
    ImportStatus.PUBLISHED,
    ImportStatus.FAILED,
    ImportStatus.CANCELLED,
)


def add_account(
    uow: UnitOfWork,
    ids: IdGenerator,
    clock: Clock,
    tenant_id: str,
    username: str,
    password_hash: str | None,
    public_key: str | None,
) -> DropAccount:
    if not re.fullmatch(VALID_USERNAME, username):
        raise ValueError(f"{username!r}: lower-case letters, digits, '.', '_' or '-', at most 32")
    if uow.tenants.get(None, tenant_id) is None:
        raise NotFound(f"no tenant {tenant_id}")
    if password_hash is None and public_key is None:
        raise ValueError("an account needs a public key or a password")
    keys = (public_key.strip(),) if public_key else ()
    account = DropAccount(ids.new(), tenant_id, username, clock.now(), password_hash, keys)
    uow.drop_accounts.add(account)
    uow.commit()
    return account


def find_account(uow: UnitOfWork, username: str) -> DropAccount | None:
    found = uow.drop_accounts.list(None, username=username).items
    return found[0] if found else None


def remove_account(uow: UnitOfWork, username: str) -> bool:
    account = find_account(uow, username)
    if account is None:
        return False
    uow.drop_accounts.delete(account)
    uow.commit()
    return True


def claim(
    uow: UnitOfWork,
    ids: IdGenerator,
    clock: Clock,
    account: DropAccount,
    relative: str,
    size: int,
    mtime_ns: int,
) -> DropClaim | None:
    """The file, as it stands now, for this caller only — or None when another watcher claimed it first
    (a unique constraint on account, path, size and modification time decides)."""
    taken = DropClaim(ids.new(), account.tenant_id, account.id, relative, size, mtime_ns, clock.now())
    try:
        uow.drop_claims.add(taken)
        uow.commit()
    except Conflict:
        uow.rollback()
        return None
    return taken


def hand_over(
    uow: UnitOfWork,
    blobs: BlobStore,
    ids: IdGenerator,
    clock: Clock,
    queue: TaskQueue,
    account: DropAccount,
    taken: DropClaim,
    path: Path,
) -> tuple[ImportJob, DropClaim]:
    """Give the claimed file to the import pipeline; a subfolder names the community by its code.
    Returns the job and the claim now pointing at it. Raises InvalidInput or NotFound when the file
    cannot be imported."""
    relative = PurePosixPath(taken.path)
    community_id = None
    code = community_code_of(relative)
    if code is not None:
        found = uow.communities.list(account.tenant_id, code=code).items
        if not found:
            raise NotFound(f"folder {code!r} names no community of this tenant")
        community_id = found[0].id
    acting = Principal(Role.INTEGRATION, account.tenant_id)
    job, _ = receive_file(
        uow, blobs, ids, clock, queue, acting, path, relative.name, ImportSource.SFTP, community_id
    )
    handed = replace(taken, import_id=job.id)
    uow.drop_claims.update(handed)
    uow.commit()
    return job, handed


def refuse(uow: UnitOfWork, taken: DropClaim, why: str) -> None:
    uow.drop_claims.update(replace(taken, state=ClaimState.REPORTED, outcome=why))
    uow.commit()


def finished(uow: UnitOfWork, taken: DropClaim) -> ImportJob | None:
    """The claim's import once it has ended, else None."""
    if taken.import_id is None:
        return None
    job = uow.imports.get(taken.tenant_id, taken.import_id)
    return job if job is not None and job.status in FINAL else None


def orphans(uow: UnitOfWork, older_than: datetime) -> list[tuple[DropClaim, DropAccount]]:
    """Claims whose watcher stopped before reporting them: any watcher may finish the job."""
    found = []
    for taken in uow.drop_claims.list(None, state=ClaimState.CLAIMED.value, claimed_at__to=older_than).items:
        account = uow.drop_accounts.get(None, taken.account_id)
        if account is not None:
            found.append((taken, account))
    return found


def reported(uow: UnitOfWork, taken: DropClaim, outcome: str) -> None:
    uow.drop_claims.update(replace(taken, state=ClaimState.REPORTED, outcome=outcome))
    uow.commit()
