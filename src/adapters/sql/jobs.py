"""Claim, lease and fence for any job table: one conditional UPDATE decides each step.

A job table has `id`, `status`, `generation`, `attempts`, `lease_until` and `enqueued_at`; the fencing
token is (generation, attempts): attempts count the claims of one generation, and running a job again from
scratch (reprocess, retry) starts a new generation, so no token is given twice. On PostgreSQL (read committed)
a conditional UPDATE that waits on a row another transaction holds re-checks its condition on the row as
committed; on SQLite writers take turns. Either way, of two claimers or two sweepers one matches the row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, and_, bindparam, or_, select, update

from prorata.adapters.sql.rows import Row
from prorata.domain.ports.jobs import LeaseLost

T = TypeVar("T")


class SqlaJobs(Generic[T]):
    def __init__(
        self,
        connection: Connection,
        table: Table,
        to_row: Callable[[T], Row],
        from_row: Callable[[Row], T],
        waiting: tuple[str, ...],
        in_progress: tuple[str, ...],
        bound: str | None = None,
    ) -> None:
        self.connection, self.table, self.to_row, self.from_row = connection, table, to_row, from_row
        self.waiting, self.in_progress, self.bound = waiting, in_progress, bound

    def _one(self, id: str) -> list[ColumnElement[bool]]:
        where = [self.table.c.id == id]
        if self.bound is not None:
            where.append(self.table.c.tenant_id == self.bound)
        return where

    def _free(self, now: datetime) -> ColumnElement[bool]:
        """Waiting, or in progress with a lease that has run out."""
        c = self.table.c
        lapsed = and_(c.status.in_(self.in_progress), or_(c.lease_until.is_(None), c.lease_until <= now))
        return or_(c.status.in_(self.waiting), lapsed)

    def claim(self, id: str, now: datetime, lease_until: datetime) -> T | None:
        claimed = self._claim([self.table.c.id == id], now, lease_until)
        return claimed[0] if claimed else None

    def claim_all(self, ids: list[str], now: datetime, lease_until: datetime) -> list[T]:
        return self._claim([self.table.c.id.in_(ids)], now, lease_until) if ids else []

    def _claim(self, which: list[ColumnElement[bool]], now: datetime, lease_until: datetime) -> list[T]:
        c = self.table.c
        if self.bound is not None:
            which = [*which, c.tenant_id == self.bound]
        claimed = self.connection.execute(
            update(self.table)
            .where(*which, self._free(now))
            .values(
                status=self.in_progress[0],
                attempts=c.attempts + 1,
                lease_until=lease_until,
                started_at=now,
            )
            .returning(*self.table.c)
        ).mappings()
        return [self.from_row(dict(row)) for row in claimed]

    def hold(self, job: T) -> None:
        row = self.to_row(job)
        c = self.table.c
        written = self.connection.execute(
            update(self.table)
            .where(
                *self._one(row["id"]),
                c.generation == row["generation"],
                c.attempts == row["attempts"],
                c.status.in_(self.in_progress),
            )
            .values(row)
        )
        if written.rowcount != 1:
            raise LeaseLost(
                f"{self.table.name} {row['id']}: attempt {row['generation']}.{row['attempts']} lost its job"
            )

    def hold_all(self, jobs: list[T]) -> list[T]:
        """One statement for all (executemany); the rows are read back only when some were not written."""
        if not jobs:
            return []
        c = self.table.c
        rows = [self.to_row(job) for job in jobs]
        query = update(self.table).where(
            c.id == bindparam("held_id"),
            c.generation == bindparam("held_generation"),
            c.attempts == bindparam("held_attempts"),
            or_(*(c.status == status for status in self.in_progress)),  # no IN list in an executemany
        )
        if self.bound is not None:
            query = query.where(c.tenant_id == self.bound)
        params = [
            {
                **row,
                "held_id": row["id"],
                "held_generation": row["generation"],
                "held_attempts": row["attempts"],
            }
            for row in rows
        ]
        for param in params:
            del param["id"]
        written = self.connection.execute(query, params)
        if written.rowcount == len(jobs):
            return jobs
        # Of an attempt that lost its job, the row carries another (generation, attempt) now.
        ours = {(row["id"], row["generation"], row["attempts"]) for row in rows}
        now = self.connection.execute(
            select(c.id, c.generation, c.attempts).where(c.id.in_([row["id"] for row in rows]))
        )
        kept = {id for id, generation, attempts in now if (id, generation, attempts) in ours}
        return [job for job, row in zip(jobs, rows, strict=True) if row["id"] in kept]

    def release(self, job: T) -> bool:
        row = self.to_row(job)
        c = self.table.c
        written = self.connection.execute(
            update(self.table)
            .where(
                *self._one(row["id"]),
                c.generation == row["generation"],
                c.attempts == row["attempts"],
                c.status.in_(self.in_progress),
            )
            .values(status=self.waiting[0], attempts=c.attempts - 1, lease_until=None)
        )
        return bool(written.rowcount == 1)

    def swap(self, expected: T, new: T) -> bool:
        before, row = self.to_row(expected), self.to_row(new)
        c = self.table.c
        written = self.connection.execute(
            update(self.table)
            .where(
                *self._one(row["id"]),
                c.status == before["status"],
                c.generation == before["generation"],
                c.attempts == before["attempts"],
            )
            .values(row)
        )
        return bool(written.rowcount == 1)

    def due(self, now: datetime, sent_before: datetime, limit: int = 500) -> list[str]:
        c = self.table.c
        query = (
            select(c.id)
            .where(self._free(now), or_(c.enqueued_at.is_(None), c.enqueued_at <= sent_before))
            .order_by(c.id)
            .limit(limit)
        )
        if self.bound is not None:
            query = query.where(c.tenant_id == self.bound)
        return [str(id) for id in self.connection.execute(query).scalars()]

    def mark_sent(self, id: str, now: datetime, sent_before: datetime) -> bool:
        c = self.table.c
        written = self.connection.execute(
            update(self.table)
            .where(*self._one(id), or_(c.enqueued_at.is_(None), c.enqueued_at <= sent_before))
            .values(enqueued_at=now)
        )
        return bool(written.rowcount == 1)
