"""The SFTP login ledger in the database: every SFTP process records and reads the same failures and
bans, and a restart forgets none. Each call commits on its own, at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql.tables import login_bans, login_failures
from prorata.domain.dropzone.throttle import Scope, Subject


class SqlaLoginLedger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def banned(self, subjects: Sequence[Subject], now: datetime) -> Subject | None:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(login_bans.c.scope, login_bans.c.subject).where(
                    _any_of(login_bans, subjects), login_bans.c.until > now
                )
            ).all()
        held = {(scope, name) for scope, name in found}
        return next((s for s in subjects if (s.scope.value, s.name) in held), None)

    def record_failure(self, subjects: Sequence[Subject], at: datetime) -> None:
        rows = [{"scope": s.scope.value, "subject": s.name, "failed_at": at} for s in subjects]
        with self.engine.begin() as connection:
            connection.execute(insert(login_failures), rows)

    def failures_since(self, subjects: Sequence[Subject], since: datetime) -> Mapping[Subject, int]:
        with self.engine.begin() as connection:
            # What no window can count any more goes, so that the table stays as small as the window.
            connection.execute(delete(login_failures).where(login_failures.c.failed_at <= since))
            counted = connection.execute(
                select(login_failures.c.scope, login_failures.c.subject, func.count())
                .where(_any_of(login_failures, subjects))
                .group_by(login_failures.c.scope, login_failures.c.subject)
            ).all()
        found = {Subject(Scope(scope), name): count for scope, name, count in counted}
        return {subject: found.get(subject, 0) for subject in subjects}

    def ban(self, subjects: Sequence[Subject], until: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(login_bans).where(login_bans.c.until <= until - _KEPT_AFTER))
            for subject in subjects:
                key = (login_bans.c.scope == subject.scope.value) & (login_bans.c.subject == subject.name)
                lengthened = connection.execute(
                    update(login_bans).where(key, login_bans.c.until < until).values(until=until)
                )
                if lengthened.rowcount:
                    continue
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(login_bans).values(
                                scope=subject.scope.value, subject=subject.name, until=until
                            )
                        )
                except IntegrityError:
                    pass  # banned already, for as long or longer (by this process or another)

    def forget(self, subject: Subject) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(login_failures).where(_any_of(login_failures, [subject])))


# A ban that ends this long before a new one does is removed when the new one is written: the table keeps
# only bans in force (and recent ones), without a sweeper of its own.
_KEPT_AFTER = timedelta(days=1)


def _any_of(table: Table, subjects: Sequence[Subject]) -> ColumnElement[bool]:
    columns = table.c
    return or_(*(and_(columns.scope == s.scope.value, columns.subject == s.name) for s in subjects))
