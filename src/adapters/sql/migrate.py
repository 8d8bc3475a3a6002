"""Applying the Alembic migrations to a database. Alembic is imported when a migration runs, not by
every command that merely opens the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`; running it again changes nothing."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Processes starting together take turns; the later ones find the schema current.
            connection.execute(text("SELECT pg_advisory_xact_lock(7270461)"))
        from alembic import command

        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
