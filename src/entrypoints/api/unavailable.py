"""503 when the database is away: its connection lost mid-request (a backend terminated, the server
restarted or failed over), none to be had, or the pool exhausted. The request's transaction never
committed, so nothing of it was kept; SQLAlchemy has dropped the dead connection from its pool (and
`pool_pre_ping` tests a pooled one before each use), so the next request gets a live one."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 1
MESSAGE = (
    "the database could not be reached, or the connection to it was lost, before this request was "
    "completed; send it again in a moment (a request repeated with its Idempotency-Key, or a file sent "
    "again, is applied once)"
)


def register_unavailable(app: Flask) -> None:
    def unavailable(error: Exception) -> tuple[dict[str, Any], int, dict[str, str]]:
        summary = str(getattr(error, "orig", None) or error).splitlines()[0]
        log.warning("database unavailable (%s: %s); answered 503", type(error).__name__, summary)
        errors = [{"code": "service_unavailable", "message": MESSAGE}]
        return {"errors": errors}, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    for kind in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(kind, unavailable)
