"""A database host that hangs: a loopback port that takes connections and never says a word."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class SilentServer:
    port: int
    accepted: list[socket.socket] = field(default_factory=list)  # the connections it took


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    listener = socket.create_server(("127.0.0.1", 0))
    server = SilentServer(listener.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                server.accepted.append(listener.accept()[0])  # taken, never answered
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server
    stop.set()
    thread.join(5)
    for connection in server.accepted:
        connection.close()
    listener.close()
