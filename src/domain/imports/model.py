"""An import job: one received file, its progress, its row errors and the settlements it produced."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from prorata.domain.events import ImportEnded
from prorata.domain.problems import Problem


class ImportStatus(StrEnum):
    RECEIVED = "received"
    PARSING = "parsing"
    VALIDATED = "validated"
    AWAITING_COSTS = "awaiting_costs"
    SETTLED = "settled"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ImportSource(StrEnum):
    SFTP = "sftp"
    UPLOAD = "upload"
    API = "api"


# A job waits for a worker in this state.
WAITING = (ImportStatus.RECEIVED,)
# A worker holds a job in these states, under a lease: `parsing` the file (a claim puts it there), then
# `validated` (the file is understood and its rows counted) while it settles.
IN_PROGRESS = (ImportStatus.PARSING, ImportStatus.VALIDATED)
# A worker may pick a job up in these states; one in progress only once its lease has run out.
RUNNABLE = (*WAITING, *IN_PROGRESS)
# A manager may run these again (a settled or published import is reprocessed by support).
RETRYABLE = (
    ImportStatus.RECEIVED,
    ImportStatus.AWAITING_COSTS,
    ImportStatus.FAILED,
    ImportStatus.CANCELLED,
)
# What an import changed in the registry, counted on a settled one.
CHANGE_KINDS = (
    "communities_created",
    "units_created",
    "units_updated",
    "residents_created",
    "residents_updated",
    "meters_created",
    "readings_created",
    "settlements_created",
)
# An import has come to an end of its own in these (awaiting costs resumes when they arrive).
ENDED = (
    ImportStatus.AWAITING_COSTS,
    ImportStatus.SETTLED,
    ImportStatus.PUBLISHED,
    ImportStatus.FAILED,
    ImportStatus.CANCELLED,
)
_PROGRESS = {ImportStatus.RECEIVED: 0, ImportStatus.PARSING: 10, ImportStatus.VALIDATED: 50}


@dataclass(frozen=True, slots=True)
class ImportJob:
    id: str
    tenant_id: str
    source: ImportSource
    original_name: str
    sha256: str
    size: int
    received_at: datetime
    status: ImportStatus = ImportStatus.RECEIVED
    reason: str | None = None
    community_id: str | None = None
    mapping_profile_id: str | None = None
    rows_total: int = 0
    rows_processed: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    attempts: int = 0
    lease_until: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    generation: int = 0
    enqueued_at: datetime | None = None
    errors: int = 0  # problems found, several per row at times (rows_rejected counts rows)
    changes: dict[str, int] | None = None  # what a settled import changed (CHANGE_KINDS)

    @property
    def progress(self) -> int:
        """Percent done, by stage: a file's changes are written in one transaction with its outcome, so
        there is nothing in between to count (0 received, 10 parsing, 50 validated, 100 ended)."""
        return _PROGRESS.get(self.status, 100)

    def end(self, status: ImportStatus, reason: str | None, now: datetime) -> tuple[ImportJob, ImportEnded]:
        """The job at an end of its own, and the event that tells so."""
        if status not in ENDED:
            raise ValueError(f"{status.value} is not an end")
        ended = replace(self, status=status, reason=reason, lease_until=None, finished_at=now)
        return ended, ImportEnded(self.tenant_id, self.id, status.value)

    def fail(self, reason: str, now: datetime) -> tuple[ImportJob, ImportEnded]:
        return self.end(ImportStatus.FAILED, reason, now)

    def cancel(self, now: datetime) -> tuple[ImportJob, ImportEnded]:
        if self.status in (ImportStatus.PUBLISHED, ImportStatus.CANCELLED):
            raise ValueError(f"an import {self.status.value} cannot be cancelled")
        return self.end(ImportStatus.CANCELLED, self.reason, now)

    def release(self, now: datetime) -> ImportJob:
        """Back to waiting for its next attempt, which the broker's retry brings after its backoff: the
        sweeper counts it as sent now."""
        return replace(self, status=ImportStatus.RECEIVED, lease_until=None, enqueued_at=now)

    def resume(self, now: datetime) -> ImportJob:
        """An import awaiting costs runs again now that costs may have arrived."""
        if self.status is not ImportStatus.AWAITING_COSTS:
            raise ValueError("only an import awaiting costs resumes")
        return replace(self, status=ImportStatus.RECEIVED, reason=None, finished_at=None, enqueued_at=now)

    def reprocess(self, community_id: str | None, mapping_profile_id: str | None, now: datetime) -> ImportJob:
        return replace(
            self,
            enqueued_at=now,
            status=ImportStatus.RECEIVED,
            reason=None,
            community_id=community_id or self.community_id,
            mapping_profile_id=mapping_profile_id or self.mapping_profile_id,
            generation=self.generation + 1,
            attempts=0,
            lease_until=None,
            finished_at=None,
            rows_total=0,
            rows_processed=0,
            rows_accepted=0,
            rows_rejected=0,
            errors=0,
            changes=None,
        )


@dataclass(frozen=True, slots=True)
class RowError:
    id: str
    import_id: str
    tenant_id: str
    problem: Problem


@dataclass(frozen=True, slots=True)
class MappingProfile:
    """A tenant's saved layout: field -> header, picked by the file's header signature or by name."""

    id: str
    tenant_id: str
    name: str
    mapping: dict[str, str]
    signature: str | None = None


def problem_row(problem: Problem) -> dict[str, Any]:
    return {
        "code": problem.code.value,
        "message": problem.message,
        "row": problem.row,
        "column": problem.column,
        "unit": problem.unit,
        "meter": problem.meter,
    }
