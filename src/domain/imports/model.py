"""An import job: one received file, its progress, its row errors and the settlements it produced."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

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


# A worker holds a job in these states, under a lease: `parsing` the file, then `validated` (the file
# is understood and its rows counted) while it settles.
IN_PROGRESS = (ImportStatus.PARSING, ImportStatus.VALIDATED)
# A worker may pick a job up in these states; one in progress only once its lease has run out.
RUNNABLE = (ImportStatus.RECEIVED, *IN_PROGRESS)
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

    @property
    def progress(self) -> int:
        """Percent done, by stage: a file's changes are written in one transaction with its outcome, so
        there is nothing in between to count (0 received, 10 parsing, 50 validated, 100 ended)."""
        return _PROGRESS.get(self.status, 100)

    def claim(self, now: datetime, lease_until: datetime) -> ImportJob:
        return replace(
            self,
            status=ImportStatus.PARSING,
            attempts=self.attempts + 1,
            lease_until=lease_until,
            started_at=now,
        )

    def fail(self, reason: str, now: datetime) -> ImportJob:
        return replace(self, status=ImportStatus.FAILED, reason=reason, lease_until=None, finished_at=now)

    def cancel(self, now: datetime) -> ImportJob:
        return replace(self, status=ImportStatus.CANCELLED, lease_until=None, finished_at=now)

    def reprocess(self, community_id: str | None, mapping_profile_id: str | None) -> ImportJob:
        return replace(
            self,
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
