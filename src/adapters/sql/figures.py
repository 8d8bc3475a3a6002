"""What an operator watches, counted from the database when Prometheus scrapes: imports by status,
notifications by outcome, and how far the outbox relay is behind. Every tenant's rows; no tenant named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from prorata.adapters.sql import tables
from prorata.domain.imports.model import ImportStatus
from prorata.domain.notifications.model import NotificationStatus


@dataclass(frozen=True, slots=True)
class Figures:
    imports: dict[str, int]  # every status, 0 where none
    notifications: dict[str, int]
    outbox_pending: int  # events stored and not yet dispatched to their handlers
    oldest_pending: datetime | None  # when the oldest of them occurred


def read_figures(engine: Engine) -> Figures:
    """Three grouped counts on indexed columns, in one connection."""
    imports, notifications, outbox = tables.imports, tables.notifications, tables.outbox
    with engine.connect() as connection:
        by_import = connection.execute(select(imports.c.status, func.count()).group_by(imports.c.status))
        import_counts = {str(status): int(count) for status, count in by_import}
        by_outcome = connection.execute(
            select(notifications.c.status, func.count()).group_by(notifications.c.status)
        )
        notification_counts = {str(status): int(count) for status, count in by_outcome}
        pending, oldest = connection.execute(
            select(func.count(), func.min(outbox.c.occurred_at)).where(outbox.c.dispatched_at.is_(None))
        ).one()
    return Figures(
        imports={s.value: import_counts.get(s.value, 0) for s in ImportStatus},
        notifications={s.value: notification_counts.get(s.value, 0) for s in NotificationStatus},
        outbox_pending=int(pending),
        oldest_pending=oldest,
    )
