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
from prorata.application.import_readings import record_file_readings
from prorata.application.import_settlements import settlements_for, upsert_registry
from prorata.application.services import Services
from prorata.application.settlements import prorated_from
from prorata.domain.imports.contents import FileContents
from prorata.domain.imports.interpret import header_row_of, interpret
from prorata.domain.imports.model import CHANGE_KINDS, ImportJob, ImportStatus, RowError
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.jobs import LeaseLost
from prorata.domain.ports.repository import Unstorable
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.readings.headers import Field
from prorata.domain.readings.sheet import Workbook
from prorata.domain.settlement.stored import SettlementStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
# Claims of one generation before the job ends failed: a file whose attempts keep dying (killed by the
# memory limit, timed out) must not be retried for ever, whoever sent the message.
MAX_ATTEMPTS = 4


def claim(uow: UnitOfWork, clock: Clock, import_id: str, lease: timedelta = LEASE) -> ImportJob | None:
    """Take the job for a new attempt if it is waiting, or if its last worker's lease ran out; None when
    another worker has it. Of any number of concurrent claimers exactly one wins (one conditional write)."""
    now = clock.now()
    claimed = uow.import_jobs.claim(import_id, now, now + lease)
    uow.commit()
    return claimed


def process_import(
    uow: UnitOfWork,
    services: Services,
    import_id: str,
    lease: timedelta = LEASE,
    last_try: bool = False,
) -> ImportJob | None:
    """Process the import if it can be claimed; returns the job as this attempt left it, or None if it was
    not claimed or the attempt lost its job (cancelled, or taken over past its lease: nothing it did is
    kept). An unexpected error puts the job back for the next try (`last_try`: ends it failed) and is
    raised again."""
    clock = services.clock
    job = claim(uow, clock, import_id, lease)
    if job is None:
        return None
    if job.attempts > MAX_ATTEMPTS:
        why = (
            f"{job.original_name}: gave up after {job.attempts - 1} attempts that ended without an outcome"
            " (killed or timed out)"
        )
        _release(uow, clock, job, why)
        return None
    try:
        with collector_paused():
            return _process(uow, services, job, lease)
    except LeaseLost as lost:
        uow.rollback()
        log.warning("import %s: attempt %d dropped, nothing kept (%s)", job.id, job.attempts, lost)
        return None
    except BaseException as error:  # dramatiq's time limit and shutdown are BaseExceptions: release too
        uow.rollback()
        exhausted = last_try or job.attempts >= MAX_ATTEMPTS
        why = f"{job.original_name}: gave up after {job.attempts} attempts: {error!r}"
        _release(uow, clock, job, why if exhausted else None)
        raise


def _release(uow: UnitOfWork, clock: Clock, job: ImportJob, failure: str | None) -> None:
    """Let the next attempt claim the job — or, tries exhausted, end it as failed — if this attempt
    still holds it."""
    held = uow.imports.get(job.tenant_id, job.id)  # as the attempt left it (its rows counted, say)
    if held is not None and (held.generation, held.attempts) == (job.generation, job.attempts):
        job = held
    try:
        if failure is None:
            uow.import_jobs.hold(job.release(clock.now()))
        else:
            ended, event = job.fail(failure[:500], clock.now())
            uow.import_jobs.hold(ended)
            uow.emit(event)
        uow.commit()
    except LeaseLost:
        uow.rollback()


def _process(uow: UnitOfWork, services: Services, job: ImportJob, lease: timedelta) -> ImportJob:
    ids, clock = services.ids, services.clock
    try:
        path = services.blobs.local_path(job.sha256)
    except KeyError:  # permanent: another try would not find it either
        missing = Problem(ErrorCode.UNSUPPORTED_FILE, f"{job.original_name}: the stored copy is missing")
        return _finish(uow, ids, clock, job, FileContents(), [missing], missing.message)
    try:
        workbook = services.reader.read(path)
    except InvalidInput as error:  # permanent: the same bytes read the same way next time
        problems = [_named_after_upload_problem(p, job) for p in error.problems]
        return _finish(uow, ids, clock, job, FileContents(), problems, problems[0].message)
    workbook = _named_after_upload(workbook, job)
    contents = interpret(workbook, _community_code(uow, job), _mapping(uow, job, workbook))
    del workbook  # its cells are read: let them go (a 500,000-row sheet's are ≈ 300 MB) before settling
    job = replace(
        job, status=ImportStatus.VALIDATED, rows_total=contents.rows_total, lease_until=clock.now() + lease
    )
    uow.import_jobs.hold(job)  # progress: the file is understood and its rows counted; settling starts
    uow.commit()
    return _settle(uow, services, job, contents)


def _settle(uow: UnitOfWork, services: Services, job: ImportJob, contents: FileContents) -> ImportJob:
    ids, clock = services.ids, services.clock
    problems = list(contents.problems)
    _forget_previous_drafts(uow, job)
    waiting: list[str] = []
    failures: list[str] = []
    changes = dict.fromkeys(CHANGE_KINDS, 0)
    nothing = not contents.communities
    for code in sorted(contents.communities):
        # Each community's part is let go once settled: a portfolio's readings are not all held to the end.
        found = contents.communities.pop(code)
        try:
            registered = upsert_registry(uow, ids, job, found, problems, changes, services.accounts)
            community, units = registered.community, registered.units
            meters = record_file_readings(uow, ids, clock, job, registered, found, problems, changes)
            attached = settlements_for(uow, ids, job, community, found, problems)
        except Unstorable as error:  # permanent: a value the file gives that no record can keep
            problems.append(Problem(ErrorCode.INVALID_REQUEST, f"community {code[:50]}: {error}"))
            failures.append(f"{code[:50]} (a value is too long to keep: {error})")
            continue
        changes["settlements_created"] += attached.created
        if attached.waiting or not attached.settlements:
            waiting.append(code + "".join(f" ({s})" for s in attached.waiting))
        for settlement in attached.settlements:
            try:
                prorated_from(settlement, community, units, meters, attached.readings[settlement.id])
            except InvalidInput as error:
                problems.extend(error.problems)
                first = error.problems[0].message if error.problems else "see its errors"
                failures.append(f"{code} ({settlement.service.value}: {first})")
    if nothing:
        first = problems[0].message if problems else "no readings, costs or units found in the file"
        failures.append(f"it names no community ({first})")
    if failures:
        # All or nothing: a file that cannot settle leaves the registry as it was; only its outcome and
        # its row errors are kept.
        uow.rollback()
        reason = f"{job.original_name}: cannot settle: " + ", ".join(failures)
        return _finish(uow, ids, clock, job, contents, problems, reason, ImportStatus.FAILED)
    if waiting:
        reason = "waiting for the costs of community " + ", ".join(waiting)
        return _finish(uow, ids, clock, job, contents, problems, reason, ImportStatus.AWAITING_COSTS, changes)
    return _finish(uow, ids, clock, job, contents, problems, None, ImportStatus.SETTLED, changes)


def _finish(
    uow: UnitOfWork,
    ids: IdGenerator,
    clock: Clock,
    job: ImportJob,
    contents: FileContents,
    problems: list[Problem],
    reason: str | None,
    status: ImportStatus = ImportStatus.FAILED,
    changes: dict[str, int] | None = None,
) -> ImportJob:
    uow.import_errors.delete_where(job.tenant_id, import_id=job.id)
    for problem in problems:
        uow.import_errors.add(RowError(ids.new(), job.id, job.tenant_id, problem))
    rejected = contents.rows_rejected
    total = max(contents.rows_total, job.rows_total)
    counted = replace(
        job,
        rows_total=total,
        rows_processed=total,
        rows_rejected=rejected,
        rows_accepted=max(total - rejected, 0),
        errors=len(problems),
        changes=changes,
    )
    ended, event = counted.end(status, reason, clock.now())
    uow.import_jobs.hold(ended)  # last: everything above commits only if this attempt still holds the job
    uow.emit(event)
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


def _named_after_upload_problem(problem: Problem, job: ImportJob) -> Problem:
    """The reader names the file it read — the stored copy, named by its SHA-256; the manager knows it
    by the name they sent."""
    return replace(problem, message=problem.message.replace(job.sha256, job.original_name))
