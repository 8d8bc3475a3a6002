"""A process that sends seldom — the watcher claiming a file now and then, a sweeper, an API thread — sends
after an idle spell longer than RabbitMQ's heartbeat timeout as it sends at any time: the message
arrives and nothing is logged, though RabbitMQ closed the silent connection meanwhile."""

from __future__ import annotations

import logging
import threading
import time

import pika  # type: ignore[import-untyped]
import pytest

from prorata.adapters.dramatiq_queue import QUEUE, DramatiqTaskQueue, make_broker
from tests.services import fresh_rabbitmq_vhost

# RabbitMQ closes a connection that sent nothing for a few heartbeat timeouts (about 3 s at 1 s).
HEARTBEAT = 1
IDLE_SECONDS = 4.0


def test_a_claim_sent_after_an_idle_spell_arrives_and_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with fresh_rabbitmq_vhost() as url:
        broker = make_broker(f"{url}?heartbeat={HEARTBEAT}")
        queue = DramatiqTaskQueue(broker)
        with caplog.at_level(logging.INFO, logger="pika"):
            queue.run_import("import-1")
            # The watcher sends from its loop and from its file-event thread: each has a connection.
            other = threading.Thread(target=queue.run_import, args=("import-2",))
            other.start()
            other.join()
            time.sleep(IDLE_SECONDS)
            queue.run_import("import-3")
            other = threading.Thread(target=queue.run_import, args=("import-4",))
            other.start()
            other.join()
        told = [f"{r.levelname} {r.name}: {r.getMessage()[:200]}" for r in caplog.records]
        assert [line for line in told if not line.startswith(("INFO", "DEBUG"))] == []
        connection = pika.BlockingConnection(pika.URLParameters(url))
        try:
            waiting = connection.channel().queue_declare(QUEUE, passive=True).method.message_count
        finally:
            connection.close()
        broker.close()
        assert waiting == 4
