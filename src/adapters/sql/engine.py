"""Creating the engine: SQLite (the all-in-one default) or PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

CONNECT_TIMEOUT = 10  # seconds to wait for PostgreSQL to answer a new connection


def normalized_url(url: str) -> str:
    """`postgresql://` and `postgres://` use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalized_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _sqlite_begin_before_writes)
        return engine
    # A server that takes the connection but never answers would hang every start and every /ready:
    # libpq waits without limit unless told (the URL's own `?connect_timeout=` wins).
    connect_args = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    # The sqlite3 module would begin a transaction by itself before INSERT/UPDATE/DELETE but not before
    # SAVEPOINT, so a savepoint that came first was committed on release, outside the unit of work. We
    # begin it ourselves, at the same place (see _sqlite_begin_before_writes).
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def _sqlite_begin_before_writes(
    connection: Any, cursor: Any, statement: str, _parameters: object, _context: object, _many: bool
) -> None:
    """BEGIN before a transaction's first write — a savepoint included. Reads before it run outside a
    transaction, as the sqlite3 module does, so a reader never holds a snapshot it must then upgrade."""
    dbapi = connection.connection.dbapi_connection
    if dbapi is None or dbapi.in_transaction or not connection.in_transaction():
        return
    if statement.lstrip()[:9].upper().startswith(_WRITES):
        cursor.execute("BEGIN")
