from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from flask import Flask

from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.entrypoints.api.app import create_app
from prorata.entrypoints.worker import declare_actors
from tests.services import fresh_postgres_database

# `make fuzz` sets these: it runs the long fuzzing tests on both databases.
FUZZING = any(name.startswith("PRORATA_FUZZ_") for name in os.environ)
# `PRORATA_EVERY_DATABASE=1 make test`: every test marked `one_database` on both databases too.
EVERY_DATABASE = FUZZING or bool(os.environ.get("PRORATA_EVERY_DATABASE"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `one_database(name)` runs on that database alone in `make test`: the fuzzing tests
    and the authorization matrix drive the API's own code, not the database's (the repositories' tenant
    binding is one statement on both, tested on both: test_tenant_bound_unit_of_work.py), and took a
    quarter of the suite on both."""
    if EVERY_DATABASE:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        marked = item.get_closest_marker("one_database")
        callspec = getattr(item, "callspec", None)
        on = callspec.params.get("database_url") if callspec is not None else None
        (dropped if marked and on is not None and on != marked.args[0] else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Each integration test runs on SQLite and on PostgreSQL (a database of this run's own)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'prorata.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def components(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Components]:
    data_dir: Path = tmp_path_factory.mktemp("data")
    settings = Settings.from_environment(
        {"PRORATA_DATA_DIR": str(data_dir), "PRORATA_DATABASE_URL": database_url}
    )
    parts = bootstrap(settings)
    parts.upgrade_database()
    yield parts
    parts.engine.dispose()


# The API and the worker, shared by every folder of tests that drives them (integration, hostile): one
# worker per session, as dramatiq declares an actor once per broker.
@pytest.fixture(scope="session")
def app(components: Components) -> Flask:
    return create_app(components)


@pytest.fixture(scope="session")
def worker(components: Components) -> Iterator[dramatiq.Worker]:
    """dramatiq workers on the in-process StubBroker, running the real import actor."""
    declare_actors(components)
    running = dramatiq.Worker(components.broker, worker_timeout=50)
    running.start()
    yield running
    running.stop()
