"""The real services the integration tests use: URLs from the environment, defaulting to the local ones.

A service that cannot be reached skips its tests with the reason, except under CI=true, where it fails:
CI must exercise the real database."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

POSTGRES_URL = os.environ.get("PRORATA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def unavailable(what: str, error: Exception) -> None:
    message = f"{what} is unreachable ({type(error).__name__}: {str(error).splitlines()[0]})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run against it")
    pytest.skip(message)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A database of its own for this test run, dropped afterwards."""
    admin_url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"prorata_test_{uuid.uuid4().hex[:12]}"
    # No pool: the connection that drops the database is a new one, whatever ended the first meanwhile (a
    # test's pg_terminate_backend, a server restart).
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        unavailable(f"PostgreSQL at {admin_url.render_as_string(hide_password=True)}", error)
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


RABBITMQ_URL = os.environ.get("PRORATA_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672")
REDIS_URL = os.environ.get("PRORATA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str, default_port: int) -> None:
    parsed = make_url(url.replace("amqp://", "postgresql://").replace("redis://", "postgresql://"))
    try:
        socket.create_connection((parsed.host or "127.0.0.1", parsed.port or default_port), timeout=3).close()
    except OSError as error:
        unavailable(url.split("@")[-1], error)


@contextmanager
def fresh_rabbitmq_vhost() -> Iterator[str]:
    """A RabbitMQ virtual host of this run's own (made with rabbitmqctl), deleted afterwards."""
    _reachable(RABBITMQ_URL, 5672)
    vhost = f"prorata_test_{uuid.uuid4().hex[:12]}"
    user = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://")).username or "guest"
    try:
        subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True, timeout=60)
        subprocess.run(
            ["rabbitmqctl", "set_permissions", "-p", vhost, user, ".*", ".*", ".*"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as error:
        unavailable("rabbitmqctl (to make a vhost for this run)", error)
    try:
        yield f"{RABBITMQ_URL.rstrip('/')}/{vhost}"
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60, check=False)


@contextmanager
def fresh_redis_namespace() -> Iterator[tuple[str, str]]:
    """Redis with a key namespace of this run's own; its keys are deleted afterwards."""
    _reachable(REDIS_URL, 6379)
    namespace = f"prorata_test_{uuid.uuid4().hex[:12]}"
    yield REDIS_URL, namespace
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)
