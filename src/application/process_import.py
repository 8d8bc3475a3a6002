"""Use case: a worker processes an import job — parse, validate, update the registry, settle.

At-least-once safe: the job is claimed with a lease, and everything the file changes is written in one
transaction together with the job's outcome, so a worker killed midway leaves nothing half done and the
next attempt starts afresh."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import PurePosixPath

from prorata.application.collector import collector_paused
from prorata.application.import_settlements import settlements_for, upsert_registry
from prorata.application.settlements import compute
from prorata.domain.access.principal import Principal, Role
from prorata.domain.imports.interpret import FileContents, header_row_of, interpret
from prorata.domain.imports.model import IN_PROGRESS, RUNNABLE, ImportJob, ImportStatus, RowError
from prorata.domain.ports.blob_store import BlobStore
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import InvalidInput
from prorata.domain.readings.headers import Field
from prorata.domain.readings.sheet import Workbook
from prorata.domain.settlement.stored import SettlementStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


def claim(uow: UnitOfWork, clock: Clock, import_id: str, lease: timedelta = LEASE) -> ImportJob | None:
    """Take the job if it is waiting, or if its last worker's lease ran out; None otherwise."""
    job = uow.imports.get(None, import_id)
    now = clock.now()
    if job is None or job.status not in RUNNABLE:
        return None
    if job.status in IN_PROGRESS and job.lease_until is not None and job.lease_until > now:
        return None
    claimed = job.claim(now, now + lease)
    uow.imports.update(claimed)
    uow.commit()
    return claimed


def process_import(
    uow: UnitOfWork,
    blobs: BlobStore,
    reader: SpreadsheetReader,
    ids: IdGenerator,
    clock: Clock,
    import_id: str,
    lease: timedelta = LEASE,
) -> ImportJob | None:
    """Process the import if it can be claimed; returns the job as it ended, or None if not claimed."""
    job = claim(uow, clock, import_id, lease)
    if job is None:
        return None
    with collector_paused():
        return _process(uow, blobs, reader, ids, clock, job)


def _process(
    uow: UnitOfWork,
    blobs: BlobStore,
    reader: SpreadsheetReader,
    ids: IdGenerator,
    clock: Clock,
    job: ImportJob,
) -> ImportJob:
    try:
        workbook = reader.read(blobs.local_path(job.sha256))
    except InvalidInput as error:
        return _finish(
            uow, ids, clock, job, FileContents(problems=list(error.problems)), error.problems[0].message
        )
    workbook = _named_after_upload(workbook, job)
    contents = interpret(workbook, _community_code(uow, job), _mapping(uow, job, workbook))
    job = replace(job, status=ImportStatus.VALIDATED, rows_total=contents.rows_total)
    uow.imports.update(job)  # progress: the file is understood and its rows counted; settling starts
    uow.commit()
    return _settle(uow, ids, clock, job, contents)


def _settle(
    uow: UnitOfWork, ids: IdGenerator, clock: Clock, job: ImportJob, contents: FileContents
) -> ImportJob:
    problems = list(contents.problems)
    _forget_previous_drafts(uow, job)
    waiting: list[str] = []
    failures: list[str] = []
    acting = Principal(Role.MANAGER, job.tenant_id)
    for code, found in sorted(contents.communities.items()):
        community = upsert_registry(uow, ids, job, found, problems)
        settlements = settlements_for(uow, ids, job, community, found, problems)
        if not settlements:
            waiting.append(code)
        for settlement in settlements:
            try:
                compute(uow, acting, settlement.id)
            except InvalidInput as error:
                problems.extend(error.problems)
                failures.append(f"{code} ({settlement.service.value})")
    if not contents.communities:
        first = problems[0].message if problems else "no readings, costs or units found in the file"
        failures.append(f"nothing to settle ({first})")
    reason = None
    if failures:
        reason = "cannot settle: " + ", ".join(failures)
    status = (
        ImportStatus.FAILED if failures else ImportStatus.AWAITING_COSTS if waiting else ImportStatus.SETTLED
    )
    outcome = FileContents(
        problems=problems, rows_total=contents.rows_total, rows_rejected=contents.rows_rejected
    )
    return _finish(uow, ids, clock, job, outcome, reason, status)


def _finish(
    uow: UnitOfWork,
    ids: IdGenerator,
    clock: Clock,
    job: ImportJob,
    contents: FileContents,
    failed: str | None,
    status: ImportStatus = ImportStatus.FAILED,
) -> ImportJob:
    uow.import_errors.delete_where(job.tenant_id, import_id=job.id)
    for problem in contents.problems:
        uow.import_errors.add(RowError(ids.new(), job.id, job.tenant_id, problem))
    now = clock.now()
    rejected = contents.rows_rejected
    total = max(contents.rows_total, job.rows_total)
    ended = replace(
        job,
        status=status,
        reason=failed,
        rows_total=total,
        rows_processed=total,
        rows_rejected=rejected,
        rows_accepted=max(total - rejected, 0),
        lease_until=None,
        finished_at=now,
    )
    uow.imports.update(ended)
    uow.commit()
    log.info("import %s ended %s", job.id, ended.status.value)
    return ended


def _forget_previous_drafts(uow: UnitOfWork, job: ImportJob) -> None:
    """A file processed again replaces what it produced before, unless published (then it is corrected)."""
    for settlement in uow.settlements.list(job.tenant_id, import_id=job.id).items:
        if settlement.status is SettlementStatus.DRAFT and settlement.origin is not None:
            uow.settlements.delete(settlement)


def _community_code(uow: UnitOfWork, job: ImportJob) -> str | None:
    if job.community_id is None:
        return None
    community = uow.communities.get(job.tenant_id, job.community_id)
    return community.code if community else None


def _mapping(uow: UnitOfWork, job: ImportJob, workbook: Workbook) -> dict[Field, str] | None:
    """The profile named at upload, or else the tenant's profile whose headers all stand in one row."""
    if job.mapping_profile_id is not None:
        profile = uow.mapping_profiles.get(job.tenant_id, job.mapping_profile_id)
        return None if profile is None else {Field(k): v for k, v in profile.mapping.items()}
    for candidate in uow.mapping_profiles.list(job.tenant_id).items:
        mapping = {Field(k): v for k, v in candidate.mapping.items()}
        if header_row_of(workbook, mapping) is not None:
            return mapping
    return None


def _named_after_upload(workbook: Workbook, job: ImportJob) -> Workbook:
    """A CSV's one sheet is named after the file as it was sent, not after the stored copy."""
    sheets = tuple(
        replace(sheet, name=PurePosixPath(job.original_name).stem) if sheet.name == job.sha256 else sheet
        for sheet in workbook.sheets
    )
    return replace(workbook, sheets=sheets)
