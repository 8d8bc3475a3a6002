"""The schema revision the code says is its head, which commands compare the database's with before
loading Alembic, is the migrations' own head: a migration added without moving it fails here."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from prorata.adapters.sql.migrate import MIGRATIONS
from prorata.adapters.sql.schema_revisions import HEAD


def test_the_code_s_head_is_the_migrations_head() -> None:
    assert ScriptDirectory(str(MIGRATIONS)).get_heads() == [HEAD]
