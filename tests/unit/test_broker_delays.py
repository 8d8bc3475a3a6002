"""A retry an hour away (a webhook's backoff, OneSignal's Retry-After) is never one broker message held an
hour: dramatiq holds a delayed message unacked until it is due, and RabbitMQ (3.8.15 on) closes the
channel of a delivery unacked past its consumer_timeout — 15 min, then 30 by default — handing every
message the channel held back (dramatiq#827). A wait is sent in hops no longer than the cap; the job row's
`not_before` holds the time, and a message that comes early is sent again for the rest."""

from __future__ import annotations

import time

import pytest
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker

from prorata.adapters.dramatiq_deliveries import LONGEST_BROKER_DELAY_SECONDS, DramatiqDeliveryQueue

RABBITMQ_CONSUMER_TIMEOUT_SECONDS = 15 * 60  # its default in 3.8.15–3.8.16 (30 min since 3.8.17)


def _delays_sent(broker: StubBroker, queue: str) -> list[float]:
    """Seconds from now to each delayed message's due time."""
    now = time.time() * 1000
    return [(Message.decode(data).options["eta"] - now) / 1000 for data in broker.queues[queue].queue]


@pytest.mark.parametrize("wait", [3600.0, 24 * 3600.0])
def test_a_retry_far_away_is_sent_as_a_message_due_within_the_cap(wait: float) -> None:
    broker = StubBroker()
    queue = DramatiqDeliveryQueue(broker)
    queue.deliver_webhook("delivery-1", wait)
    queue.send_notification("notification-1", wait)
    for name in ("webhooks.DQ", "notifications.DQ"):
        (delay,) = _delays_sent(broker, name)
        assert delay <= LONGEST_BROKER_DELAY_SECONDS
        assert delay > LONGEST_BROKER_DELAY_SECONDS - 5  # no sooner than it must
    assert LONGEST_BROKER_DELAY_SECONDS <= RABBITMQ_CONSUMER_TIMEOUT_SECONDS - 300  # 5 min for a busy worker


def test_a_retry_within_the_cap_is_sent_for_its_own_time() -> None:
    broker = StubBroker()
    DramatiqDeliveryQueue(broker).deliver_webhook("delivery-1", 7.0)
    (delay,) = _delays_sent(broker, "webhooks.DQ")
    assert 6 < delay <= 7
