"""Webhooks over REST: a management system registers a URL for event types (and gets its signing secret,
once), reads and deletes it, and sees its deliveries."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields, validate

from prorata.application.webhooks import (
    delete_webhook,
    deliveries_of,
    get_webhook,
    list_webhooks,
    register_webhook,
)
from prorata.domain.redaction import shown_reason
from prorata.domain.webhooks.addresses import MAX_URL
from prorata.domain.webhooks.events import EVENT_TYPES
from prorata.domain.webhooks.model import DeliveryStatus, Webhook, WebhookDelivery
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window

blp = ResourceBlueprint("webhooks", __name__, url_prefix="/v1", description="Signed callbacks of events")


# What the documentation promises is accepted (a name, with a top-level domain, over https); the server
# also takes http and local addresses when PRORATA_WEBHOOKS_ALLOW_PRIVATE is set, and refuses a name that
# resolves to a loopback, private or link-local address — now and at every delivery.
# No space nor control character in the path: `\s` is ECMAScript's in a JSON schema, which leaves out the
# \x1c–\x1f that Python (and so the server) counts as spaces; \x00–\x1f, \x7f–\x9f name them all.
URL_PATTERN = r"^https://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?(/[^\s\x00-\x1f\x7f-\x9f]*)?$"


class WebhookInSchema(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(max=MAX_URL),
        metadata={
            "description": "https, to a public address: never loopback, private or link-local (checked "
            "now and at every delivery)",
            "example": "https://example.org/prorata/events",
            "pattern": URL_PATTERN,
        },
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "the event types to deliver"},
    )


class WebhookSchema(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), required=True)
    created_at = fields.DateTime(required=True)


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(
        required=True,
        metadata={
            "description": "shown once: the key of every delivery's `Prorata-Signature` header, "
            't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">'
        },
    )


class WebhookDeliverySchema(Schema):
    """One event delivered (or being delivered) to the webhook; `id` is the body's and the
    `Prorata-Event-Id` header's."""

    id = fields.String(required=True)
    event_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in DeliveryStatus]))
    attempts = fields.Integer(required=True)
    last_status = fields.Integer(allow_none=True, metadata={"description": "HTTP status of the last answer"})
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    delivered_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    body = fields.String(required=True, metadata={"description": "the JSON posted, as posted"})


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": list(webhook.events),
        "created_at": webhook.created_at,
    }


def delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    waiting = delivery.status is DeliveryStatus.QUEUED
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "type": delivery.type,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "last_status": delivery.last_status,
        "reason": shown_reason(delivery.reason),
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "next_attempt_at": delivery.not_before if waiting else None,
        "body": delivery.body,
    }


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.response(200, WebhookSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
        """The tenant's webhooks, oldest first."""
        with work() as uow:
            page = list_webhooks(uow, principal(), **window(pagination_parameters))
        return [webhook_json(w) for w in paged(page, pagination_parameters)]

    @blp.arguments(WebhookInSchema)
    @blp.response(201, WebhookCreatedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a URL for event types: 201 with the secret that signs its deliveries, shown this once.
        A URL no delivery may reach is a 422 `url_not_allowed`."""
        parts = components()
        with work() as uow:
            webhook = register_webhook(
                uow, parts.services, parts.outlets, principal(), data["url"], data["events"]
            )
        return {**webhook_json(webhook), "secret": webhook.secret}


@blp.route("/webhooks/<webhook_id>")
class WebhookItem(MethodView):
    @blp.response(200, WebhookSchema)
    def get(self, webhook_id: str) -> dict[str, Any]:
        with work() as uow:
            return webhook_json(get_webhook(uow, principal(), webhook_id))

    @blp.response(204)
    def delete(self, webhook_id: str) -> None:
        """No more deliveries; those waiting fail. Its deliveries so far stay on record."""
        with work() as uow:
            delete_webhook(uow, components().clock, principal(), webhook_id)


@blp.route("/webhooks/<webhook_id>/deliveries")
@blp.response(200, WebhookDeliverySchema(many=True))
@blp.paginate()
def list_deliveries(webhook_id: str, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """The webhook's deliveries, oldest first."""
    with work() as uow:
        page = deliveries_of(uow, principal(), webhook_id, **window(pagination_parameters))
    return [delivery_json(d) for d in paged(page, pagination_parameters)]
