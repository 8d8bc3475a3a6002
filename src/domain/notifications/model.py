"""A notification: one push to one resident about one move of one receipt, kept as a job row (claimed
under a lease, fenced by its attempt, like every job: ports/jobs.py) until OneSignal's answer ends it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from prorata.domain.notifications.outcomes import Outcome, RetryPolicy, Verdict
from prorata.domain.redaction import shown_reason


class NotificationKind(StrEnum):
    """What the resident is told. `corrected`: the receipt of a correction replaced her unit's receipt
    (told instead of a second `issued`); `sent_for_collection`: presented to the bank, or again after a
    return — the SEPA pre-notification, with the debit date; `collection_cancelled`: the debit it
    announced will not be made (its remittance was cancelled before its date)."""

    ISSUED = "issued"
    CORRECTED = "corrected"
    SENT_FOR_COLLECTION = "sent_for_collection"
    PAID = "paid"
    RETURNED = "returned"
    COLLECTION_CANCELLED = "collection_cancelled"


class NotificationStatus(StrEnum):
    """`recorded_only`: kept but not sent, as no OneSignal app is configured (the all-in-one default);
    `not_delivered`: OneSignal took the request but reached nobody (no subscribed device, unknown alias) —
    never retried; `failed`: refused, or given up after the retries."""

    RECORDED_ONLY = "recorded_only"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    NOT_DELIVERED = "not_delivered"
    FAILED = "failed"


WAITING = (NotificationStatus.QUEUED,)
IN_PROGRESS = (NotificationStatus.SENDING,)
# What support may send again (under the same key): not one that was sent — OneSignal would only answer
# with the notification it made — nor one on its way.
REQUEUABLE = frozenset(
    {NotificationStatus.NOT_DELIVERED, NotificationStatus.FAILED, NotificationStatus.RECORDED_ONLY}
)


class NotRequeuable(Exception):
    """The notification is on its way, or was sent (HTTP 409)."""

    code = "not_requeuable"


@dataclass(frozen=True, slots=True)
class Push:
    """What OneSignal is asked to deliver: to one external id, under one idempotency key."""

    external_id: str
    idempotency_key: str
    headings: dict[str, str]
    contents: dict[str, str]
    data: dict[str, str]


@dataclass(frozen=True, slots=True)
class Notification:
    """`headings`/`contents` hold every language, the resident's first; `provider_id` is OneSignal's id
    of the notification it created. `attempts` counts the claims of this `generation` (support's requeue
    starts a new one), `failures` the answers that asked for a retry with backoff."""

    id: str
    tenant_id: str
    receipt_id: str
    event_id: str
    resident_id: str
    kind: NotificationKind
    language: str
    external_id: str
    idempotency_key: str
    created_at: datetime
    headings: dict[str, str] = field(default_factory=dict)
    contents: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    status: NotificationStatus = NotificationStatus.QUEUED
    provider_id: str | None = None
    reason: str | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    generation: int = 0
    failures: int = 0
    lease_until: datetime | None = None
    started_at: datetime | None = None
    enqueued_at: datetime | None = None
    not_before: datetime | None = None

    @property
    def push(self) -> Push:
        return Push(self.external_id, self.idempotency_key, self.headings, self.contents, self.data)

    @property
    def heading(self) -> str:
        return self.headings.get(self.language, "")

    @property
    def content(self) -> str:
        return self.contents.get(self.language, "")

    def answered(self, outcome: Outcome, now: datetime, policy: RetryPolicy) -> Notification:
        """The notification after OneSignal's answer to this attempt: ended, or queued for a retry (then
        `not_before` says when; the attempt's message is sent with that delay)."""
        if outcome.verdict is Verdict.SENT:
            return self._ended(NotificationStatus.SENT, None, now, outcome.provider_id)
        if outcome.verdict is Verdict.NOT_DELIVERED:
            return self._ended(NotificationStatus.NOT_DELIVERED, outcome.reason, now, outcome.provider_id)
        if outcome.verdict is Verdict.FAILED:
            return self._ended(NotificationStatus.FAILED, outcome.reason, now, None)
        failures = self.failures + (0 if outcome.throttled else 1)
        if failures >= policy.max_failures:
            reason = f"gave up after {failures} failed tries; the last: {outcome.reason}"
            return self._ended(NotificationStatus.FAILED, reason, now, None)
        if self.attempts >= policy.max_attempts:
            reason = f"gave up after {self.attempts} attempts; the last: {outcome.reason}"
            return self._ended(NotificationStatus.FAILED, reason, now, None)
        wait = policy.wait(outcome, failures)
        return replace(
            self,
            status=NotificationStatus.QUEUED,
            failures=failures,
            reason=shown_reason(outcome.reason),
            lease_until=None,
            not_before=now + timedelta(seconds=wait),
            enqueued_at=now + timedelta(seconds=wait),  # its delayed message is the sending
        )

    def given_up(self, now: datetime) -> Notification:
        """Claimed once too often without an answer kept (its workers killed or timed out each time)."""
        reason = f"gave up after {self.attempts - 1} attempts that ended without an answer"
        return self._ended(NotificationStatus.FAILED, reason, now, None)

    def recorded_only(self, now: datetime) -> Notification:
        """Kept unsent: OneSignal was configured away after it was queued."""
        return self._ended(NotificationStatus.RECORDED_ONLY, "no OneSignal app is configured", now, None)

    def requeued(self, now: datetime) -> Notification:
        """Sent again from scratch by support, under the same idempotency key."""
        if self.status is NotificationStatus.SENT:
            raise NotRequeuable(f"notification {self.id} was sent (OneSignal id {self.provider_id})")
        if self.status not in REQUEUABLE:
            raise NotRequeuable(f"notification {self.id} is {self.status.value}: it is on its way already")
        return replace(
            self,
            status=NotificationStatus.QUEUED,
            generation=self.generation + 1,
            attempts=0,
            failures=0,
            reason=None,
            finished_at=None,
            lease_until=None,
            not_before=None,
            enqueued_at=now,
        )

    def _ended(
        self, status: NotificationStatus, reason: str | None, now: datetime, provider_id: str | None
    ) -> Notification:
        return replace(
            self,
            status=status,
            reason=shown_reason(reason),
            provider_id=provider_id if provider_id else self.provider_id,
            finished_at=now,
            lease_until=None,
            not_before=None,
        )


def data_of(receipt_id: str, event_id: str, kind: NotificationKind) -> dict[str, str]:
    """The push's `data`, for the app's deep link to the receipt."""
    return {"receipt_id": receipt_id, "event": kind.value, "event_id": event_id}
