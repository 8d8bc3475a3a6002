"""The migrations build, from an empty database, exactly the schema the code declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.migrate import upgrade
from prorata.adapters.sql.tables import metadata
from tests.services import fresh_postgres_database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_from_empty_match_the_declared_schema(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        check(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        with fresh_postgres_database() as url:
            check(url)


def check(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second run changes nothing
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
            tables = set(inspect(connection).get_table_names())
        assert differences == []
        assert {
            "tenants",
            "communities",
            "units",
            "residents",
            "meters",
            "readings",
            "settlements",
            "receipts",
        } <= tables
    finally:
        engine.dispose()
