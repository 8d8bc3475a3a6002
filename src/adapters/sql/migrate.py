"""Applying the Alembic migrations to a database. Alembic is imported when a migration runs, not by
every command that merely opens the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from prorata.adapters.sql.schema_revisions import HEAD, SchemaAhead, UpgradeRefused, schema_ahead

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class Upgraded:
    """What an upgrade did: the revision the schema was at (None: a new database), the one it is at now,
    and how many migrations it applied to get there (0: it was current)."""

    before: str | None
    after: str | None
    applied: int


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> Upgraded:
    """Bring the schema up to `revision`; running it again changes nothing. A database at a revision
    these migrations do not know (a newer prorata's) raises SchemaAhead, unchanged."""
    if revision == "head" and at_head(engine):
        # Every command that opens the database comes here first: Alembic and the migrations cost
        # 0.1–0.3 s of its start to find nothing to do.
        return Upgraded(HEAD, HEAD, 0)
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                return _upgrade(connection, engine, revision)
        # Alembic rebuilds a table to change its keys on SQLite, and dropping the old one would delete its
        # children's parent rows: keys off meanwhile, checked before the upgrade commits (SQLite's own
        # procedure for altering a table). BEGIN IMMEDIATE: the whole upgrade, DDL included, is one
        # transaction (the engine begins one only before a write), and processes starting together take
        # turns, the later ones finding the schema current.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                upgraded = _upgrade(connection, engine, revision)
                if upgraded.applied:
                    _refuse_broken_references(connection)
            return upgraded
        finally:
            _keys_on(connection)


def at_head(engine: Engine) -> bool:
    """The schema at the code's head revision, as Alembic's version table says (none: a new database).
    Asked without an error of the database's (PostgreSQL would log one for a missing table); a database
    that cannot be reached raises, as connecting to it does."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return found == [HEAD]


def _keys_on(connection: Connection) -> None:
    """Foreign keys back on for the pooled connection — or, if SQLite would not (a transaction left open
    by a failed commit), the connection discarded."""
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and dbapi.in_transaction:
        dbapi.rollback()
    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    on = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    connection.commit()
    if on != 1:
        connection.invalidate()


def _upgrade(connection: Connection, engine: Engine, revision: str) -> Upgraded:
    if connection.dialect.name == "postgresql":
        # Processes starting together take turns; the later ones find the schema current.
        connection.execute(text("SELECT pg_advisory_xact_lock(7270461)"))
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = alembic_config(engine)
    config.attributes["connection"] = connection
    before = MigrationContext.configure(connection).get_current_revision()
    try:
        command.upgrade(config, revision)
    except CommandError:  # "Can't locate revision identified by …" among others
        ahead = _ahead_of_code(connection)
        if ahead:
            raise ahead from None
        raise
    after = MigrationContext.configure(connection).get_current_revision()
    if after is None or after == before:
        return Upgraded(before, after, 0)
    walked = ScriptDirectory(str(MIGRATIONS)).iterate_revisions(after, before or "base")
    return Upgraded(before, after, sum(1 for _ in walked))


def _refuse_broken_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, rowid, parent = broken[0][0], broken[0][1], broken[0][2]
        raise UpgradeRefused(
            f"upgrade not applied: {len(broken)} rows refer to records that do not exist (the first: rowid"
            f" {rowid} of {table}, to {parent})"
        )


def _ahead_of_code(connection: Connection) -> SchemaAhead | None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    current = MigrationContext.configure(connection).get_current_heads()
    return schema_ahead(current, (found.revision for found in script.walk_revisions()), script.get_heads())
