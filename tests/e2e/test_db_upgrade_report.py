"""`prorata db upgrade` says what it did: from which revision to which, and how many migrations it applied —
or that there was nothing to do, and at which revision the database is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from prorata.adapters.sql.migrate import MIGRATIONS, upgrade

SCRIPTS = ScriptDirectory(str(MIGRATIONS))
(HEAD,) = SCRIPTS.get_heads()
ALL = len(list(SCRIPTS.walk_revisions()))


@pytest.fixture
def sqlite(tmp_path: Path) -> dict[str, str]:
    return {"PRORATA_DATABASE_URL": f"sqlite:///{tmp_path / 'prorata.db'}", "PRORATA_LOG_FORMAT": "json"}


def test_a_new_database_is_upgraded_and_then_found_up_to_date(prorata: Any, sqlite: dict[str, str]) -> None:
    first = prorata("db", "upgrade", env=sqlite)
    assert first.code == 0, first.stderr
    assert first.stdout.strip() == f"database upgraded from none to {HEAD} ({ALL} migrations applied)"
    second = prorata("db", "upgrade", env=sqlite)
    assert second.code == 0, second.stderr
    assert second.stdout.strip() == f"database is up to date ({HEAD})"


def test_a_database_some_migrations_behind_says_from_which_revision(
    prorata: Any, sqlite: dict[str, str]
) -> None:
    behind = SCRIPTS.get_revision(HEAD).down_revision
    assert isinstance(behind, str)
    engine = create_engine(sqlite["PRORATA_DATABASE_URL"])
    upgrade(engine, behind)
    engine.dispose()
    run = prorata("db", "upgrade", env=sqlite)
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == f"database upgraded from {behind} to {HEAD} (1 migration applied)"
