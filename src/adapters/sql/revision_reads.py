"""alembic's lines when prorata only reads the schema's revision (GET /ready, `prorata ready`): alembic's
MigrationContext says "Context impl PostgresqlImpl." and "Will assume transactional DDL." at INFO each
time one is made — worth reading while upgrading, noise on every readiness probe. Quieted in the thread
that reads only, so an upgrade running meanwhile in another thread keeps its lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_reading = ContextVar("reading_schema_revision", default=False)


class _WhileReading(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _reading.get()


_QUIET = _WhileReading()


@contextmanager
def quiet_revision_read() -> Iterator[None]:
    """alembic.runtime.migration says nothing from this thread within the block."""
    logging.getLogger("alembic.runtime.migration").addFilter(_QUIET)  # once: addFilter skips a known one
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)
