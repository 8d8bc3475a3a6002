"""dramatiq as the queue of notifications to push and webhook deliveries to post: messages carry ids only
(several notifications to one message when they are sent together), and a retry's message is sent with
its delay (the job row's `not_before` says the same, for the sweeper) — up to LONGEST_BROKER_DELAY_SECONDS:
a longer wait comes early, and the use case sends it again for the rest."""

from __future__ import annotations

import dramatiq

from prorata.adapters.dramatiq_queue import send

NOTIFICATIONS = "notifications"
SEND_NOTIFICATION = "send_notification"
WEBHOOKS = "webhooks"
DELIVER_WEBHOOK = "deliver_webhook"
# dramatiq holds a delayed message unacked until it is due, and RabbitMQ (3.8.15 on) closes the channel of
# a delivery unacked past its consumer_timeout (15 min in 3.8.15–16, 30 min since; dramatiq#827), handing
# back every message it held: a webhook's hour of backoff or OneSignal's Retry-After of 3600 s would
# churn. Ten minutes leaves room under either, on any RabbitMQ, for a worker slow to take a due message.
LONGEST_BROKER_DELAY_SECONDS = 600


class DramatiqDeliveryQueue:
    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        broker.declare_queue(NOTIFICATIONS)
        broker.declare_queue(WEBHOOKS)

    def send_notification(self, notification_id: str, delay_seconds: float = 0) -> None:
        self._send(NOTIFICATIONS, SEND_NOTIFICATION, notification_id, delay_seconds)

    def send_notifications(self, notification_ids: list[str]) -> None:
        if notification_ids:
            send(self.broker, NOTIFICATIONS, SEND_NOTIFICATION, *notification_ids)

    def deliver_webhook(self, delivery_id: str, delay_seconds: float = 0) -> None:
        self._send(WEBHOOKS, DELIVER_WEBHOOK, delivery_id, delay_seconds)

    def _send(self, queue: str, actor: str, id: str, delay_seconds: float) -> None:
        delay = int(min(delay_seconds, LONGEST_BROKER_DELAY_SECONDS) * 1000)
        send(self.broker, queue, actor, id, delay_ms=delay if delay > 0 else None)
