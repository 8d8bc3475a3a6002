"""Port: waking the workers that push notifications and deliver webhooks. The database holds the truth
(each notification and delivery is a job row); a lost message is found again by the sweeper, and so is
one the broker could not take: a send never fails its caller."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class DeliveryQueue(Protocol):
    @abstractmethod
    def send_notification(self, notification_id: str, delay_seconds: float = 0) -> None:
        """Ask a worker to send the notification, not before `delay_seconds` from now."""

    @abstractmethod
    def send_notifications(self, notification_ids: list[str]) -> None:
        """Ask one worker to send these notifications, one after another, now."""

    @abstractmethod
    def deliver_webhook(self, delivery_id: str, delay_seconds: float = 0) -> None:
        """Ask a worker to post the delivery, not before `delay_seconds` from now."""
