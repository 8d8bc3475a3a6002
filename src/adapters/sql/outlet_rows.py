"""Table rows of what goes out (push notifications, webhooks and their deliveries) and back."""

from __future__ import annotations

from prorata.adapters.sql.rows import Row, plain_row
from prorata.domain.notifications.model import Notification, NotificationKind, NotificationStatus
from prorata.domain.webhooks.model import DeliveryStatus, Webhook, WebhookDelivery


def notification(row: Row) -> Notification:
    return Notification(
        **{**row, "kind": NotificationKind(row["kind"]), "status": NotificationStatus(row["status"])}
    )


def webhook_row(item: Webhook) -> Row:
    return {**plain_row(item), "events": list(item.events)}


def webhook(row: Row) -> Webhook:
    return Webhook(**{**row, "events": tuple(row["events"])})


def webhook_delivery(row: Row) -> WebhookDelivery:
    return WebhookDelivery(**{**row, "status": DeliveryStatus(row["status"])})
