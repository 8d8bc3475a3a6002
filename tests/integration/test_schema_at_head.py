"""Every command that opens the database first asks whether its schema is at the code's head, before
loading Alembic: asked of a new database, the question is no error of the database's (PostgreSQL logged
one for every start and every readiness probe); asked of a database that does not answer, it costs one
connection timeout, not two."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from prorata.adapters.readiness import check_migrations
from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.migrate import at_head, upgrade
from prorata.adapters.sql.schema_revisions import HEAD
from tests.services import fresh_postgres_database
from tests.silent_server import SilentServer


@pytest.fixture(params=["sqlite", "postgresql"])
def new_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a new, empty database of the test's own, on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'prorata.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_new_database_is_asked_its_revision_without_an_error_of_its_own(new_engine: Engine) -> None:
    errors: list[str] = []
    event.listen(new_engine, "handle_error", lambda context: errors.append(str(context.original_exception)))
    assert at_head(new_engine) is False
    not_ready = check_migrations(new_engine)
    assert not_ready is not None
    assert not_ready.code == "migrations_pending"
    assert upgrade(new_engine).after == HEAD
    assert at_head(new_engine) is True
    assert check_migrations(new_engine) is None
    assert errors == []


def test_a_database_that_does_not_answer_is_tried_once_per_connection(silent_server: SilentServer) -> None:
    port, accepted = silent_server.port, silent_server.accepted
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{port}/prorata?connect_timeout=1")
    try:
        with pytest.raises(OperationalError):
            engine.connect()
        one_connection = len(accepted)  # libpq may try twice itself (with TLS, then without)
        assert one_connection >= 1
        with pytest.raises(OperationalError):
            upgrade(engine)
        assert len(accepted) == 2 * one_connection  # upgrade's own connection, not a second one after it
    finally:
        engine.dispose()
