"""Applying the Alembic migrations to a database. Alembic is imported when a migration runs, not by
every command that merely opens the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from prorata.adapters.sql.schema_revisions import SchemaAhead, schema_ahead

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
    with engine.begin() as connection:
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


def _ahead_of_code(connection: Connection) -> SchemaAhead | None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    current = MigrationContext.configure(connection).get_current_heads()
    return schema_ahead(current, (found.revision for found in script.walk_revisions()), script.get_heads())
