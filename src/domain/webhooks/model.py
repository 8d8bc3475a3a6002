"""A webhook (a URL subscribed to event types, with the secret its deliveries are signed with) and a
delivery: one event to one webhook, a job row retried with exponential backoff for a day."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from prorata.domain.redaction import clean_reason

# Fixed forever: every delivery id ever sent was derived under it.
DELIVERY_NAMESPACE = uuid.UUID("0c7d3f52-1e9b-5a44-8d06-776562686f6f")
RETRY_FOR = timedelta(hours=24)
TIMEOUT_SECONDS = 10.0


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


WAITING = (DeliveryStatus.QUEUED,)
IN_PROGRESS = (DeliveryStatus.SENDING,)


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    tenant_id: str
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: datetime
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    """What a receiver answered: `status` None when nothing came back (`error` says why); `refused` when
    the delivery may not go there at all (its URL resolves to a private address now): never retried."""

    status: int | None
    error: str | None = None
    refused: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """`backoff` seconds after the first failure, doubling up to `max_backoff`, for `retry_for` after the
    delivery was made; then failed. `max_attempts` bounds the claims of attempts that never answered."""

    backoff: float = 2.0
    max_attempts: int = 50
    max_backoff: float = 3600.0
    retry_for: timedelta = RETRY_FOR

    def delay(self, failures: int) -> float:
        return min(self.max_backoff, self.backoff * (1 << max(0, min(failures - 1, 30))))


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """`body` is the exact JSON sent each time (its `id` is this delivery's); `last_status` the HTTP
    status of the last answer."""

    id: str
    tenant_id: str
    webhook_id: str
    event_id: str
    type: str
    body: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.QUEUED
    delivered_at: datetime | None = None
    last_status: int | None = None
    reason: str | None = None
    attempts: int = 0
    generation: int = 0
    failures: int = 0
    lease_until: datetime | None = None
    started_at: datetime | None = None
    enqueued_at: datetime | None = None
    not_before: datetime | None = None

    def answered(self, answer: WebhookAnswer, now: datetime, schedule: RetrySchedule) -> WebhookDelivery:
        """The delivery after the receiver's answer: delivered, failed for good, or queued for a retry."""
        if answer.delivered:
            return replace(
                self, status=DeliveryStatus.DELIVERED, delivered_at=now, last_status=answer.status,
                reason=None, lease_until=None, not_before=None,
            )  # fmt: skip
        if answer.refused:
            return self._failed(now, answer.refused, answer.status)
        reason = (
            f"answered HTTP {answer.status}" if answer.status is not None else f"no answer: {answer.error}"
        )
        failures = self.failures + 1
        wait = timedelta(seconds=schedule.delay(failures))
        if now + wait > self.created_at + schedule.retry_for:
            return self._failed(
                now, f"gave up after {failures} tries over a day; the last {reason}", answer.status
            )
        return replace(
            self,
            status=DeliveryStatus.QUEUED,
            failures=failures,
            last_status=answer.status,
            reason=clean_reason(reason),
            lease_until=None,
            not_before=now + wait,
            enqueued_at=now + wait,
        )

    def given_up(self, now: datetime) -> WebhookDelivery:
        return self._failed(
            now, f"gave up after {self.attempts - 1} attempts that ended without an answer", None
        )

    def _failed(self, now: datetime, reason: str, status: int | None) -> WebhookDelivery:
        return replace(
            self, status=DeliveryStatus.FAILED, reason=clean_reason(reason), last_status=status,
            lease_until=None,
            not_before=None, delivered_at=None,
        )  # fmt: skip


def delivery_id(event_id: str, webhook_id: str) -> str:
    """Unique per (event, webhook), the same in every process: the body's `id` and Prorata-Event-Id."""
    return str(uuid.uuid5(DELIVERY_NAMESPACE, f"{event_id}/{webhook_id}"))


def body_of(delivery_id: str, type: str, created_at: datetime, data: dict[str, Any]) -> str:
    """The JSON a delivery posts, fixed when the delivery is made: every retry sends the same bytes."""
    document = {"id": delivery_id, "type": type, "created_at": created_at.isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
