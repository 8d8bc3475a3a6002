"""A database a newer version of prorata has upgraded (the code was then rolled back) is at a revision this
code does not know: GET /ready says so, naming both revisions and what to do — not `prorata db upgrade`,
which cannot help — and upgrading refuses with that same sentence, changing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.migrate import upgrade
from prorata.adapters.sql.schema_revisions import SchemaAhead
from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from prorata.entrypoints.api.app import create_app
from tests.services import fresh_postgres_database

NEWER = "0099_from_a_newer_prorata"


def stamp_newer(engine: Engine) -> None:
    """The table alembic keeps, at a revision this code has no migration for (what a newer one left)."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text(f"INSERT INTO alembic_version VALUES ('{NEWER}')"))


@pytest.fixture(params=["sqlite", "postgresql"])
def newer_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newer.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


def test_ready_says_the_schema_is_newer_than_the_code_and_what_to_do(tmp_path: Path) -> None:
    """(On SQLite: reading the revision is the same on both; upgrading, below, takes a lock on PostgreSQL.)"""
    newer_database = f"sqlite:///{tmp_path / 'newer.db'}"
    parts = bootstrap(
        Settings.from_environment({"PRORATA_DATA_DIR": str(tmp_path), "PRORATA_DATABASE_URL": newer_database})
    )
    try:
        stamp_newer(parts.engine)
        answer = create_app(parts).test_client().get("/ready")
    finally:
        parts.engine.dispose()
    assert answer.status_code == 503
    (error,) = answer.get_json()["errors"]
    assert (error["check"], error["code"]) == ("migrations", "migrations_ahead")
    assert error["message"].startswith(f"database schema at revision {NEWER}, newer than this version")
    assert "(head 00" in error["message"]
    assert "run the newer version" in error["message"]
    assert "db upgrade" not in error["message"]


def test_upgrading_a_newer_database_refuses_with_that_sentence_and_changes_nothing(
    newer_database: str,
) -> None:
    engine = make_engine(newer_database)
    try:
        stamp_newer(engine)
        with pytest.raises(SchemaAhead) as refused:
            upgrade(engine)
        with engine.connect() as connection:
            at = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    finally:
        engine.dispose()
    assert str(refused.value).startswith(f"database schema at revision {NEWER}, newer than")
    assert at == [NEWER]
