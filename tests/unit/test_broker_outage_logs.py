"""A broker out of reach makes one warning per outage in the log, not pika's and dramatiq's lines for
every reconnect attempt of every consumer."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Iterator

import pika  # type: ignore[import-untyped]
import pytest

from prorata.entrypoints.log_format import configure_logging


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    configure_logging("json")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    yield stream
    root.handlers[:] = before
    root.setLevel(level)
    logging.getLogger("pika").setLevel(logging.NOTSET)


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_reconnect_attempts_to_a_dead_broker_log_one_warning(log_lines: io.StringIO) -> None:
    port = _dead_port()
    consumers = [logging.getLogger(f"dramatiq.worker.ConsumerThread({q})") for q in ("imports", "events")]
    for _ in range(5):  # five rounds of reconnects by two consumers, as dramatiq's ConsumerThread does
        for consumer in consumers:
            try:
                pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port))
            except pika.exceptions.AMQPConnectionError as error:
                consumer.critical("Consumer encountered a connection error: %s", error)
                consumer.info("Restarting consumer in %0.2f seconds.", 3.0)
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["warning"]
    assert "PRORATA_BROKER_URL" in lines[0]["message"]


def test_pika_s_own_warnings_still_show(log_lines: io.StringIO) -> None:
    logging.getLogger("pika.channel").warning("channel closed by broker")
    logging.getLogger("pika.channel").info("opening channel")
    assert [json.loads(line)["message"] for line in log_lines.getvalue().splitlines()] == [
        "channel closed by broker"
    ]
