"""A PostgreSQL address that takes the connection but never answers (a hung server, a half-open
firewall) fails a connection within the timeout — it used to hang every command's start for ever."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError

from prorata.adapters.sql import engine
from prorata.adapters.sql.engine import make_engine


@pytest.fixture
def silent_server() -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # taken, never answered
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


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
    silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 1)  # the default is 10 s: the same path, sooner
    assert connects_within(f"postgresql://postgres@127.0.0.1:{silent_server}/x", 15)


def test_the_urls_own_connect_timeout_wins(silent_server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 3600)
    assert connects_within(f"postgresql://postgres@127.0.0.1:{silent_server}/x?connect_timeout=1", 15)


@pytest.mark.one_database("postgresql")
def test_a_reachable_database_still_connects(database_url: str) -> None:
    with make_engine(database_url).connect() as connection:
        assert connection.exec_driver_sql("select 1").scalar() == 1
