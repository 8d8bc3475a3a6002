"""A broker out of reach makes one warning per outage in the log, not pika's and dramatiq's lines for
every reconnect attempt of every consumer."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
from collections.abc import Iterator

import pika  # type: ignore[import-untyped]
import pytest

from prorata.adapters.dramatiq_queue import make_broker, send
from prorata.entrypoints.log_format import configure_logging
from tests.services import RABBITMQ_URL, _reachable
from tests.tcp_proxy import tcp_proxy


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


@pytest.fixture
def closing_port() -> Iterator[int]:
    """A port that accepts every connection and closes it at once, as a load balancer in front of a
    stopped RabbitMQ (or RabbitMQ while it restarts) does."""
    listener = socket.create_server(("127.0.0.1", 0))

    def close_each() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            client.close()

    threading.Thread(target=close_each, daemon=True).start()
    yield int(listener.getsockname()[1])
    listener.close()


def lines_of(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_reconnect_attempts_to_a_dead_broker_log_one_warning(log_lines: io.StringIO) -> None:
    reconnect_rounds(_dead_port())
    lines = lines_of(log_lines)
    assert [line["level"] for line in lines] == ["warning"]
    assert "PRORATA_BROKER_URL" in lines[0]["message"]


def test_a_broker_that_accepts_then_closes_logs_one_warning_not_pika_s_handshake_guesses(
    log_lines: io.StringIO, closing_port: int
) -> None:
    reconnect_rounds(closing_port)
    lines = lines_of(log_lines)
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("warning", "dramatiq.worker.ConsumerThread(imports)")
    ], lines
    assert "StreamLostError" in lines[0]["message"]  # what pika met (EOF or reset), told once


def test_sends_that_fail_during_an_outage_log_one_warning(log_lines: io.StringIO, closing_port: int) -> None:
    broker = make_broker(f"amqp://guest:guest@127.0.0.1:{closing_port}/%2F")
    for n in range(4):  # the API's uploads, the sweeper's resends
        send(broker, "imports", "run_import", f"import-{n}")
    lines = lines_of(log_lines)
    assert [line["level"] for line in lines] == ["warning"], lines
    assert "could not send run_import(import-0)" in lines[0]["message"]
    assert "sweeper will send it again" in lines[0]["message"]


def test_a_connection_lost_mid_life_leaves_its_report_to_the_one_who_used_it(log_lines: io.StringIO) -> None:
    _reachable(RABBITMQ_URL, 5672)
    rabbitmq = pika.URLParameters(RABBITMQ_URL)
    with tcp_proxy(rabbitmq.host, rabbitmq.port) as proxy:
        rabbitmq.port = proxy.port
        connection = pika.BlockingConnection(rabbitmq)
        proxy.cut()

        def serviced() -> None:
            for _ in range(50):
                connection.process_data_events(time_limit=0.1)

        with pytest.raises(pika.exceptions.AMQPConnectionError):
            serviced()
    assert lines_of(log_lines) == []


def reconnect_rounds(port: int) -> None:
    consumers = [logging.getLogger(f"dramatiq.worker.ConsumerThread({q})") for q in ("imports", "events")]
    for _ in range(5):  # five rounds of reconnects by two consumers, as dramatiq's ConsumerThread does
        for consumer in consumers:
            try:
                pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port))
            except pika.exceptions.AMQPConnectionError as error:
                consumer.critical("Consumer encountered a connection error: %s", error)
                consumer.info("Restarting consumer in %0.2f seconds.", 3.0)


def test_pika_s_own_warnings_and_errors_still_show(log_lines: io.StringIO) -> None:
    logging.getLogger("pika.channel").warning("channel closed by broker")
    logging.getLogger("pika.channel").info("opening channel")
    logging.getLogger("pika.connection").warning("Received %s from broker", "<Connection.Blocked>")
    logging.getLogger("pika.connection").critical("Received %s frame for unregistered channel %i", "X", 7)
    assert [line["message"] for line in lines_of(log_lines)] == [
        "channel closed by broker",
        "Received <Connection.Blocked> from broker",  # a memory or disk alarm on the broker
        "Received X frame for unregistered channel 7",
    ]
