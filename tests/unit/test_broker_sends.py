"""A message the broker cannot take never fails the caller: the row it would wake a worker for is
committed already, and the sweeper sends it again. It is logged, naming the job."""

from __future__ import annotations

import logging

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from dramatiq.errors import ConnectionClosed

from prorata.adapters.dramatiq_deliveries import DramatiqDeliveryQueue
from prorata.adapters.dramatiq_queue import DramatiqTaskQueue


class DownBroker(StubBroker):
    """RabbitMQ stopped: every enqueue fails as dramatiq's RabbitmqBroker fails then."""

    def enqueue(
        self, message: dramatiq.Message[object], *, delay: int | None = None
    ) -> dramatiq.Message[object]:
        raise ConnectionClosed(OSError("Connection refused"))  # type: ignore[no-untyped-call]


def test_a_job_sent_while_the_broker_is_down_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    broker = DownBroker()
    with caplog.at_level(logging.WARNING):
        DramatiqTaskQueue(broker).run_import("import-1")
        DramatiqTaskQueue(broker).dispatch_event("event-1")
        DramatiqDeliveryQueue(broker).send_notification("notification-1", delay_seconds=5)
    said = caplog.text
    for id in ("import-1", "event-1", "notification-1"):
        assert id in said
    assert "sweeper" in said


def test_a_job_sent_while_the_broker_is_up_reaches_its_queue() -> None:
    broker = StubBroker()
    DramatiqTaskQueue(broker).run_import("import-1")
    assert broker.queues["imports"].qsize() == 1
