"""Jobs that may wait before their next attempt (a retry after backoff, a 429's Retry-After): the shared
claim/lease/fence helper, with one more condition — a job whose `not_before` is still ahead is not free,
neither for a claim nor for the sweeper."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, or_

from prorata.adapters.sql.jobs import SqlaJobs

T = TypeVar("T")


class SqlaDeferredJobs(SqlaJobs[T]):
    def _free(self, now: datetime) -> ColumnElement[bool]:
        c = self.table.c
        return and_(super()._free(now), or_(c.not_before.is_(None), c.not_before <= now))
