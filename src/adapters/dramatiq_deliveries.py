"""dramatiq as the queue of notifications to push and webhook deliveries to post: messages carry ids only
(several notifications to one message when they are sent together), and a retry's message is sent with
its delay (the job row's `not_before` says the same, for the sweeper)."""

from __future__ import annotations

import dramatiq

from prorata.adapters.dramatiq_queue import send

NOTIFICATIONS = "notifications"
SEND_NOTIFICATION = "send_notification"
WEBHOOKS = "webhooks"
DELIVER_WEBHOOK = "deliver_webhook"


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
        delay = int(delay_seconds * 1000)
        send(self.broker, queue, actor, id, delay_ms=delay if delay > 0 else None)
