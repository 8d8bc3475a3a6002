"""GET /ready: 200 only when the database answers, its schema is at the code's head and the configured
broker answers; otherwise 503 naming each check that failed, in the error contract's shape. GET /health
answers as long as the process is up, whatever the database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from prorata.adapters.sql.migrate import upgrade
from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.entrypoints.api.app import create_app
from tests.e2e.conftest import free_port
from tests.services import fresh_rabbitmq_vhost, fresh_redis_namespace


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    """An app on its own components, from the environment given."""
    made: list[Components] = []

    def serve(env: dict[str, str], upgraded: bool = True) -> Flask:
        parts = bootstrap(Settings.from_environment({"PRORATA_DATA_DIR": str(tmp_path / "var"), **env}))
        if upgraded:
            parts.upgrade_database()
        made.append(parts)
        return create_app(parts)

    yield serve
    for parts in made:
        parts.broker.close()
        parts.engine.dispose()


def test_ready_when_database_schema_and_in_process_broker_answer(app: Flask) -> None:
    answer = app.test_client().get("/ready")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok"},
    }


@pytest.mark.parametrize("kind", ["rabbitmq", "redis"])
def test_ready_with_a_broker_server_that_answers(served: Any, kind: str) -> None:
    if kind == "rabbitmq":
        with fresh_rabbitmq_vhost() as url:
            answer = served({"PRORATA_BROKER_URL": url}).test_client().get("/ready")
    else:
        with fresh_redis_namespace() as (url, namespace):
            env = {"PRORATA_BROKER_URL": url, "PRORATA_BROKER_NAMESPACE": namespace}
            answer = served(env).test_client().get("/ready")
    assert answer.status_code == 200, answer.get_json()


def test_a_database_that_cannot_be_reached_is_503_and_health_still_answers(served: Any) -> None:
    url = f"postgresql://prorata:s3cret-pw@127.0.0.1:{free_port()}/prorata"
    client = served({"PRORATA_DATABASE_URL": url}, upgraded=False).test_client()
    answer = client.get("/ready")
    assert answer.status_code == 503
    body = answer.get_json()
    assert [(e["code"], e["check"]) for e in body["errors"]] == [("database_unreachable", "database")]
    assert "PRORATA_DATABASE_URL" in body["errors"][0]["message"]
    assert "s3cret-pw" not in answer.get_data(as_text=True)
    assert body["checks"] == {"database": "failed", "migrations": "unknown", "broker": "ok"}
    alive = client.get("/health")
    assert alive.status_code == 200
    assert alive.get_json()["status"] == "ok"


def test_a_database_behind_the_code_s_migrations_is_503_naming_the_command(
    served: Any, tmp_path: Path
) -> None:
    app = served({"PRORATA_DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"}, upgraded=False)
    parts: Components = app.extensions["prorata"]
    upgrade(parts.engine, "0009")
    answer = app.test_client().get("/ready")
    assert answer.status_code == 503
    (error,) = answer.get_json()["errors"]
    assert (error["code"], error["check"]) == ("migrations_pending", "migrations")
    assert "0009" in error["message"]
    assert "prorata db upgrade" in error["message"]
    parts.upgrade_database()
    assert app.test_client().get("/ready").status_code == 200


def test_an_empty_database_is_503_migrations_pending(served: Any, tmp_path: Path) -> None:
    app = served({"PRORATA_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}, upgraded=False)
    (error,) = app.test_client().get("/ready").get_json()["errors"]
    assert error["code"] == "migrations_pending"
    assert "no migration" in error["message"]


@pytest.mark.parametrize("scheme", ["amqp", "redis"])
def test_a_broker_that_cannot_be_reached_is_503(served: Any, tmp_path: Path, scheme: str) -> None:
    url = f"{scheme}://guest:s3cret-pw@127.0.0.1:{free_port()}/"
    env = {"PRORATA_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "PRORATA_BROKER_URL": url}
    answer = served(env).test_client().get("/ready")
    assert answer.status_code == 503
    body = answer.get_json()
    assert [(e["code"], e["check"]) for e in body["errors"]] == [("broker_unreachable", "broker")]
    assert "PRORATA_BROKER_URL" in body["errors"][0]["message"]
    assert "s3cret-pw" not in answer.get_data(as_text=True)
    assert body["checks"] == {"database": "ok", "migrations": "ok", "broker": "failed"}


def test_ready_logs_no_line_of_alembic_while_an_upgrade_keeps_its_lines(
    served: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = served({"PRORATA_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}, upgraded=False)
    upgrade(app.extensions["prorata"].engine, "0009")
    caplog.clear()
    probes = app.test_client()
    assert [probes.get("/ready").status_code for _ in range(3)] == [503] * 3  # the schema read each time
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []
    app.extensions["prorata"].upgrade_database()  # `prorata db upgrade`: what alembic does is told
    assert "Context impl SQLiteImpl." in [
        r.getMessage() for r in caplog.records if r.name.startswith("alembic")
    ]
    assert probes.get("/ready").status_code == 200
