"""Whether this process can do its work now: the database answers, its schema is the one the code was
written for, and the broker that wakes workers answers — and, asked for, that the process beside it still
goes round its loop (its heartbeat file is fresh). Each check returns what is wrong, or None.

Nothing here raises: a readiness probe must say which part failed, not fail itself."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, text

from prorata.adapters.heartbeat import HEARTBEAT_MAX_AGE_SECONDS
from prorata.adapters.sql.migrate import MIGRATIONS, at_head
from prorata.adapters.sql.revision_reads import quiet_revision_read
from prorata.adapters.sql.schema_revisions import schema_ahead

if TYPE_CHECKING:  # a broker is given, made by whoever checks it: `prorata ready --without broker` has none
    import dramatiq


@dataclass(frozen=True, slots=True)
class NotReady:
    check: str  # database | migrations | broker | heartbeat; settings (one `prorata ready` cannot use)
    code: str
    message: str


def check_database(engine: Engine) -> NotReady | None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return NotReady(
            "database",
            "database_unreachable",
            f"the database at {engine.url.render_as_string(hide_password=True)} does not answer "
            f"({_why(error)}); check PRORATA_DATABASE_URL and that the database server is up",
        )
    return None


def check_migrations(engine: Engine) -> NotReady | None:
    """The schema at the code's head revision (`prorata db upgrade` brings it there)."""
    try:
        if at_head(engine):  # as every probe finds it: Alembic and the migrations not loaded
            return None
    except Exception as error:
        return NotReady(
            "migrations", "migrations_unknown", f"the schema revision cannot be read ({_why(error)})"
        )
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    heads = set(script.get_heads())
    try:
        with engine.connect() as connection, quiet_revision_read():
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:
        return NotReady(
            "migrations", "migrations_unknown", f"the schema revision cannot be read ({_why(error)})"
        )
    if current == heads:
        return None
    ahead = schema_ahead(current, (found.revision for found in script.walk_revisions()), heads)
    if ahead:  # a newer prorata's schema, met after a rollback: upgrading cannot help
        return NotReady("migrations", "migrations_ahead", str(ahead))
    at = f"is at revision {', '.join(sorted(current))}" if current else "has no migration applied"
    return NotReady(
        "migrations",
        "migrations_pending",
        f"the database schema {at}; this version of prorata needs {', '.join(sorted(heads))}: "
        "run `prorata db upgrade` (every serving command also runs it when it starts)",
    )


def check_broker(broker: dramatiq.Broker) -> NotReady | None:
    """RabbitMQ: a connection opened and closed; Redis: a PING; the in-process broker always answers."""
    try:
        _ping(broker)
    except Exception as error:
        return NotReady(
            "broker",
            "broker_unreachable",
            f"the broker at {_broker_address(broker)} does not answer ({_why(error)}); check "
            "PRORATA_BROKER_URL and that the broker is up",
        )
    return None


def check_heartbeat(path: Path, max_age: float) -> NotReady | None:
    """The file a process's loop touches (PRORATA_HEARTBEAT_FILE), touched within `max_age` seconds."""
    try:
        age = max(0.0, time.time() - path.stat().st_mtime)
    except FileNotFoundError:
        return NotReady(
            "heartbeat",
            "heartbeat_missing",
            f"{path} is missing (limit of {max_age:g} s): the process that touches it has not gone round "
            "its loop yet, or it writes another file (its PRORATA_HEARTBEAT_FILE)",
        )
    except OSError as error:
        return NotReady("heartbeat", "heartbeat_unreadable", f"{path} cannot be read ({_why(error)})")
    if age <= max_age:
        return None
    return NotReady(
        "heartbeat",
        "heartbeat_stale",
        f"{path} was last touched {age:.1f} s ago, over the limit of {max_age:g} s: the process that "
        "touches it is hung (alive, its loop stuck or dead); restart it",
    )


def _ping(broker: dramatiq.Broker) -> None:
    found: Any = broker  # dramatiq's broker classes are typed as Broker; pika ships no types
    if _kind(broker) == "rabbitmq":
        import pika  # type: ignore[import-untyped]

        pika.BlockingConnection(found.parameters).close()
    elif _kind(broker) == "redis":
        found.client.ping()


def _broker_address(broker: dramatiq.Broker) -> str:
    found: Any = broker
    if _kind(broker) == "rabbitmq":
        parameters = found.parameters
        first = parameters[0] if isinstance(parameters, list) else parameters
        return f"amqp://{first.host}:{first.port}/{first.virtual_host.lstrip('/')}"
    if _kind(broker) == "redis":
        where = found.client.connection_pool.connection_kwargs
        return f"redis://{where.get('host', '?')}:{where.get('port', '?')}/{where.get('db', 0)}"
    return "the in-process broker"


def _kind(broker: dramatiq.Broker) -> str:
    """Named without importing the broker modules (pika, redis) a deployment may not use."""
    return type(broker).__name__.removesuffix("Broker").lower()


def _why(error: Exception) -> str:
    """The error's kind and first line, with no credentials: drivers name host, port and user only."""
    first = (str(error).strip().splitlines() or [""])[0][:300]
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


@dataclass(frozen=True, slots=True)
class Readiness:
    # database, migrations[, broker][, heartbeat]: ok | failed | unknown (not checked: it could not be)
    checks: dict[str, str]
    failed: list[NotReady]


def readiness(
    engine: Engine,
    broker: dramatiq.Broker | None,
    heartbeat: Path | None = None,
    max_age: float = HEARTBEAT_MAX_AGE_SECONDS,
) -> Readiness:
    """Every check (the broker's only when one is given, the heartbeat's only when a file is); the schema
    is read only from a database that answers."""
    database = check_database(engine)
    migrations = None if database else check_migrations(engine)
    reached = check_broker(broker) if broker is not None else None
    beat = check_heartbeat(heartbeat, max_age) if heartbeat is not None else None
    failed = [found for found in (database, migrations, reached, beat) if found]
    checks = {"database": "ok", "migrations": "unknown" if database else "ok"}
    if broker is not None:
        checks["broker"] = "ok"
    if heartbeat is not None:
        checks["heartbeat"] = "ok"
    checks.update({found.check: "failed" for found in failed})
    return Readiness(checks, failed)
