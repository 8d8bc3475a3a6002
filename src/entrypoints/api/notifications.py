"""Notifications to residents over REST: staff list them (filters receipt_id, resident_id, event, status),
a resident reads her own at /v1/me/notifications, and support sends one again."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields, validate

from prorata.application.notification_admin import list_notifications, my_notifications, requeue
from prorata.domain.notifications.model import Notification, NotificationKind, NotificationStatus
from prorata.domain.redaction import shown_reason
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window

blp = ResourceBlueprint(
    "notifications", __name__, url_prefix="/v1", description="Push notifications to residents"
)
admin = ResourceBlueprint(
    "notifications_admin", __name__, url_prefix="/v1/admin", description="Support: notifications sent again"
)
_KINDS = [k.value for k in NotificationKind]
_STATUSES = [s.value for s in NotificationStatus]


class NotificationSchema(Schema):
    """One push to one resident about one move of one receipt. `heading` and `content` are in her
    language; `headings` and `contents` hold every language sent (OneSignal shows the device's)."""

    id = fields.String(required=True)
    receipt_id = fields.String(required=True)
    event_id = fields.String(required=True, metadata={"description": "the receipt's history entry"})
    resident_id = fields.String(required=True)
    event = fields.String(
        required=True,
        validate=validate.OneOf(_KINDS),
        metadata={"description": "corrected: a correction's receipt replaced hers; sent_for_collection: "
                  "presented to the bank (the SEPA pre-notification)"},
    )  # fmt: skip
    status = fields.String(
        required=True,
        validate=validate.OneOf(_STATUSES),
        metadata={"description": "recorded_only: kept, not sent (no OneSignal app configured); "
                  "not_delivered: OneSignal reached no device; failed: refused, or given up"},
    )  # fmt: skip
    language = fields.String(required=True)
    heading = fields.String(required=True)
    content = fields.String(required=True)
    headings = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    contents = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    external_id = fields.String(required=True, metadata={"description": "the alias OneSignal knows her by"})
    idempotency_key = fields.String(
        required=True, metadata={"description": "the same for every sending of this notification"}
    )
    onesignal_id = fields.String(allow_none=True, metadata={"description": "OneSignal's notification id"})
    reason = fields.String(allow_none=True, metadata={"description": "why it was not delivered, or failed"})
    attempts = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"description": "a retry's time"})


class MyNotificationQuerySchema(Schema):
    receipt_id = fields.String()
    event = fields.List(
        fields.String(validate=validate.OneOf(_KINDS)), metadata={"description": "one or several"}
    )
    status = fields.List(
        fields.String(validate=validate.OneOf(_STATUSES)), metadata={"description": "one or several"}
    )


class NotificationQuerySchema(MyNotificationQuerySchema):
    resident_id = fields.String()


def notification_json(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "receipt_id": notification.receipt_id,
        "event_id": notification.event_id,
        "resident_id": notification.resident_id,
        "event": notification.kind.value,
        "status": notification.status.value,
        "language": notification.language,
        "heading": notification.heading,
        "content": notification.content,
        "headings": notification.headings,
        "contents": notification.contents,
        "external_id": notification.external_id,
        "idempotency_key": notification.idempotency_key,
        "onesignal_id": notification.provider_id,
        "reason": shown_reason(notification.reason),
        "attempts": notification.attempts,
        "created_at": notification.created_at,
        "finished_at": notification.finished_at,
        "next_attempt_at": notification.not_before
        if notification.status is NotificationStatus.QUEUED
        else None,
    }


def _where(query: dict[str, Any]) -> dict[str, Any]:
    where = dict(query)
    if "event" in where:
        where["kind"] = where.pop("event")
    return where


@blp.route("/notifications")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationSchema(many=True))
@blp.paginate()
def list_all(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """The tenant's notifications, oldest first (support: every tenant's)."""
    with work() as uow:
        page = list_notifications(uow, principal(), **_where(query), **window(pagination_parameters))
    return [notification_json(n) for n in paged(page, pagination_parameters)]


@blp.route("/me/notifications")
@blp.arguments(MyNotificationQuerySchema, location="query")
@blp.response(200, NotificationSchema(many=True))
@blp.paginate()
def list_mine(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """A resident's own notifications, oldest first (a resident key only)."""
    with work() as uow:
        page = my_notifications(uow, principal(), **_where(query), **window(pagination_parameters))
    return [notification_json(n) for n in paged(page, pagination_parameters)]


@admin.route("/notifications/<notification_id>/requeue", methods=["POST"])
@admin.response(202, NotificationSchema)
def requeue_one(notification_id: str) -> dict[str, Any]:
    """Send the notification again, under the same idempotency key (OneSignal delivers it at most once):
    202, queued. Support only; 409 `not_requeuable` while it is on its way, 409
    `notifications_not_configured` without OneSignal."""
    parts = components()
    with work() as uow:
        again = requeue(uow, parts.clock, parts.outlets, principal(), notification_id)
    return notification_json(again)
