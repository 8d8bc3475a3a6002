"""Use cases of the SFTP drop zone: accounts, claiming a file exactly once, handing it to the import
pipeline, and the outcome a legacy system fetches back."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import PurePosixPath
from typing import BinaryIO

from prorata.application.errors import NotFound
from prorata.application.receive_file import record_file
from prorata.application.services import Services
from prorata.domain.dropzone.model import (
    FAILED,
    PROCESSED,
    VALID_USERNAME,
    ClaimState,
    DropAccount,
    DropClaim,
    LinkRefused,
    community_code_of,
    shown,
    told_as,
)
from prorata.domain.events import ImportEnded
from prorata.domain.imports.model import ENDED, ImportJob, ImportSource, ImportStatus
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.drop_outcomes import DropOutcomes
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


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


def take(
    uow: UnitOfWork,
    services: Services,
    account: DropAccount,
    relative: str,
    size: int,
    mtime_ns: int,
    source: BinaryIO,
    hold: str = "",
) -> tuple[DropClaim, ImportJob, bool] | None:
    """Claim the file as it stands and record its import in one transaction, which the caller commits:
    there is never a claim without its import. Returns the claim, the job and whether the job is new
    (the same bytes sent before map to their first job) — or None when another watcher claimed it first
    (a unique constraint on account, path, size, modification time and hold decides). Raises NotFound
    when its folder names no community of the tenant. `source` is the file opened (and checked) by the
    caller: its bytes are what is kept and imported, never what its path may name by now. `relative` is
    where it was dropped, `hold` the hold (model.HOLDS) the caller moves it into before committing —
    named after the file itself, so two uploads of a name are two claims, and two watchers one."""
    community_id = _community_of(uow, account, PurePosixPath(relative))
    sha, stored = services.blobs.put_file(source)  # content-addressed: a claim lost below leaves nothing
    services.reader.refuse_unreadable(services.blobs.local_path(sha), PurePosixPath(relative).name)
    taken = _claim(uow, services, account, relative, size, mtime_ns, hold=hold)
    if taken is None:
        return None
    name = PurePosixPath(relative).name
    job, new = record_file(
        uow, services, account.tenant_id, sha, stored, name, ImportSource.SFTP, community_id
    )
    taken = replace(taken, import_id=job.id)
    uow.drop_claims.update(taken)
    return taken, job, new


def _claim(
    uow: UnitOfWork,
    services: Services,
    account: DropAccount,
    relative: str,
    size: int,
    mtime_ns: int,
    *,
    hold: str = "",
    state: ClaimState = ClaimState.CLAIMED,
    outcome: str | None = None,
) -> DropClaim | None:
    """The file claimed as it stands, in the caller's transaction; None when another watcher claimed it
    first (a unique constraint on account, path, size, modification time and hold decides)."""
    taken = DropClaim(
        services.ids.new(),
        account.tenant_id,
        account.id,
        relative,
        size,
        mtime_ns,
        services.clock.now(),
        state=state,
        outcome=outcome,
        hold=hold,
    )
    try:
        uow.drop_claims.add(taken)
    except Conflict:
        return None
    return taken


def is_claimed(uow: UnitOfWork, account: DropAccount, hold: str) -> bool:
    """Whether the file in that hold was claimed (and its claim committed)."""
    return bool(uow.drop_claims.list(None, account_id=account.id, hold=hold, limit=1).items)


def _community_of(uow: UnitOfWork, account: DropAccount, relative: PurePosixPath) -> str | None:
    code = community_code_of(relative)
    if code is None:
        return None
    found = uow.communities.list(account.tenant_id, code=code).items
    if not found:
        raise NotFound(f"folder {code!r} names no community of this tenant")
    return found[0].id


def refuse(
    uow: UnitOfWork,
    services: Services,
    account: DropAccount,
    relative: str,
    size: int,
    mtime_ns: int,
    why: str,
) -> bool:
    """The file cannot be imported: claim it as reported and put it in failed/ with the reason — unless
    another watcher claimed it first. The claim and the result name it as text (model.shown), even when
    its name on disk is not."""
    taken = _claim(
        uow, services, account, shown(relative), size, mtime_ns, state=ClaimState.REPORTED, outcome=why
    )
    if taken is None:
        return False
    result = dropped_as(taken) | {"status": "failed", "reason": why}
    try:
        services.drop_outcomes.write(account.username, relative, FAILED, result, [])
    except LinkRefused as link:
        _not_written(uow, account, taken, link)
    uow.commit()
    return True


def report(uow: UnitOfWork, outcomes: DropOutcomes, taken: DropClaim, job: ImportJob) -> bool:
    """Leave the import's latest outcome beside the dropped file, once per outcome: a conditional write
    records the outcome on the claim first, so of the watcher and the event handlers only one writes the
    files. `awaiting_costs` is told too, and the claim stays open: the import's final outcome replaces it
    when the costs arrive. A final outcome is replaced too when the import is run again (support's
    reprocess, a retry): the file goes on to the folder of its new outcome. The caller commits."""
    if job.status not in ENDED or taken.told(job.status.value, job.generation):
        return False
    final = job.status is not ImportStatus.AWAITING_COSTS
    state = ClaimState.REPORTED if final else ClaimState.CLAIMED
    told = replace(taken, state=state, outcome=told_as(job.status.value, job.generation))
    if not uow.drop_claims.update_if(told, state=taken.state.value, outcome=taken.outcome):
        return False
    account = uow.drop_accounts.get(None, taken.account_id)
    if account is None:
        return False
    errors = [e.problem for e in uow.import_errors.list(job.tenant_id, import_id=job.id).items]
    folder = FAILED if job.status in (ImportStatus.FAILED, ImportStatus.CANCELLED) else PROCESSED
    try:
        result = result_of(job, taken)
        outcomes.write(account.username, taken.located, folder, result, errors)
    except LinkRefused as link:
        _not_written(uow, account, told, link)
    return True


def _not_written(uow: UnitOfWork, account: DropAccount, taken: DropClaim, link: LinkRefused) -> None:
    """The outcome would have gone through a link (out of the account, or over a file it points to): it is
    not written, the claim is closed with the reason — it is not tried again for this outcome (a run again
    of the import tries its own) — and the operator told."""
    why = f"{taken.outcome}; outcome not written: {link}"
    log.warning("drop zone %s: %r: %s", account.username, str(taken.path), why)
    uow.drop_claims.update(replace(taken, state=ClaimState.REPORTED, outcome=why))


def report_ended_import(uow: UnitOfWork, outcomes: DropOutcomes, event: ImportEnded) -> None:
    """Event handler: every file claimed for the import gets its latest outcome, once it has ended —
    those told an earlier run's outcome too."""
    job = uow.imports.get(event.tenant_id, event.import_id)
    if job is None:
        return
    for taken in uow.drop_claims.list(event.tenant_id, import_id=job.id).items:
        report(uow, outcomes, taken, job)


def dropped_as(taken: DropClaim) -> dict[str, object]:
    """What a result says of the upload it tells: where it was put and when it was taken (the outcomes
    add `file`, the name it sits beside)."""
    return {"dropped": taken.path, "dropped_at": taken.claimed_at.isoformat()}


def result_of(job: ImportJob, taken: DropClaim) -> dict[str, object]:
    """The outcome told beside the file claimed as `taken`; `imported_as` when the file repeats the bytes
    of an earlier upload (whatever its name or folder), whose import it is."""
    told = dropped_as(taken)
    if taken.repeats(job):
        told["imported_as"] = job.original_name
    return told | {
        "import_id": job.id,
        "status": job.status.value,
        "reason": job.reason,
        "rows": {"total": job.rows_total, "accepted": job.rows_accepted, "rejected": job.rows_rejected},
        "received_at": job.received_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
