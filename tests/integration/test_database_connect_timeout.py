"""A PostgreSQL address that takes the connection but never answers (a hung server, a half-open
firewall) fails a connection within the timeout — it used to hang every command's start for ever."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError

from prorata.adapters.sql import engine
from prorata.adapters.sql.engine import make_engine
from tests.silent_server import SilentServer


def connects_within(url: str, seconds: float) -> bool:
    """Whether a connection attempt to `url` ends (it must fail) within `seconds`."""
    outcome: list[BaseException] = []

    def connect() -> None:
        try:
            make_engine(url).connect()
        except OperationalError as error:
            outcome.append(error)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(seconds)
    return bool(outcome)


def test_a_server_that_never_answers_fails_the_connection_within_the_default_timeout(
    silent_server: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 1)  # the default is 10 s: the same path, sooner
    assert connects_within(f"postgresql://postgres@127.0.0.1:{silent_server.port}/x", 15)


def test_the_urls_own_connect_timeout_wins(
    silent_server: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 3600)
    assert connects_within(f"postgresql://postgres@127.0.0.1:{silent_server.port}/x?connect_timeout=1", 15)


@pytest.mark.one_database("postgresql")
def test_a_reachable_database_still_connects(database_url: str) -> None:
    with make_engine(database_url).connect() as connection:
        assert connection.exec_driver_sql("select 1").scalar() == 1
