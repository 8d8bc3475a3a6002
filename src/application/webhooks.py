"""Use cases: webhooks. A management system registers a URL for event types and is given the secret that
signs its deliveries, once. The outbox handler makes one delivery per (event, webhook) — the database
refuses a second — and a worker posts it, signed, retrying with exponential backoff for a day."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from prorata.application.access import require
from prorata.application.collection_news import called_off
from prorata.application.errors import NotFound
from prorata.application.notifications import remitted_by
from prorata.application.outlets import Outlets
from prorata.application.relay import AfterCommit, in_turn
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal
from prorata.domain.events import DomainEvent, ReceiptMoved, payload_of
from prorata.domain.money import from_cents
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.delivery_queue import DeliveryQueue
from prorata.domain.ports.jobs import LeaseLost
from prorata.domain.ports.outbox import StoredEvent
from prorata.domain.ports.repository import Conflict, Page
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.webhooks.addresses import RefusedUrl
from prorata.domain.webhooks.events import type_of
from prorata.domain.webhooks.model import (
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    body_of,
    delivery_id,
)
from prorata.domain.webhooks.signature import header

log = logging.getLogger(__name__)
SECRET_PREFIX = "whsec_"  # noqa: S105 - what a secret starts with, not one


def register_webhook(
    uow: UnitOfWork, services: Services, outlets: Outlets, caller: Principal, url: str, events: list[str]
) -> Webhook:
    """A new webhook with a new secret (shown to the caller once). RefusedUrl when no delivery may go to
    the URL (not https, or a loopback, private or link-local address). Committed."""
    require(caller, Action.WRITE)
    assert caller.tenant_id is not None
    refused = outlets.webhooks.refusal(url)
    if refused:
        raise RefusedUrl(refused)
    webhook = Webhook(
        id=services.ids.new(),
        tenant_id=caller.tenant_id,
        url=url.strip(),
        events=tuple(dict.fromkeys(events)),
        secret=SECRET_PREFIX + secrets.token_urlsafe(32),
        created_at=services.clock.now(),
    )
    uow.webhooks.add(webhook)
    uow.commit()
    return webhook


def list_webhooks(
    uow: UnitOfWork, caller: Principal, *, offset: int = 0, limit: int | None = None
) -> Page[Webhook]:
    require(caller, Action.READ)
    return uow.webhooks.list(caller.tenant_scope, offset=offset, limit=limit, deleted_at=None)


def get_webhook(uow: UnitOfWork, caller: Principal, webhook_id: str) -> Webhook:
    """A webhook of the caller's tenant that is not deleted; NotFound otherwise."""
    require(caller, Action.READ)
    found = uow.webhooks.get(caller.tenant_scope, webhook_id)
    if found is None or found.deleted_at is not None:
        raise NotFound(f"no webhook {webhook_id}")
    return found


def delete_webhook(uow: UnitOfWork, clock: Clock, caller: Principal, webhook_id: str) -> None:
    """No more deliveries are made for it, and those waiting fail ("the webhook was deleted"); its
    deliveries so far stay on record. Committed."""
    require(caller, Action.WRITE)
    webhook = get_webhook(uow, caller, webhook_id)
    uow.webhooks.update(replace(webhook, deleted_at=clock.now()))
    uow.commit()


def deliveries_of(
    uow: UnitOfWork, caller: Principal, webhook_id: str, *, offset: int = 0, limit: int | None = None
) -> Page[WebhookDelivery]:
    """The webhook's deliveries, oldest first."""
    webhook = get_webhook(uow, caller, webhook_id)
    return uow.webhook_deliveries.list(webhook.tenant_id, offset=offset, limit=limit, webhook_id=webhook.id)


def deliver_webhooks(
    uow: UnitOfWork, services: Services, outlets: Outlets, event_id: str, event: DomainEvent
) -> AfterCommit:
    """The outbox handler: one delivery of the stored event `event_id` per webhook of its tenant
    subscribed to its type, its body fixed now. Sent to workers after commit."""
    stored = uow.outbox.get(event_id)
    created = stored.occurred_at if stored is not None else services.clock.now()
    return deliver_all_webhooks(uow, services, outlets, [StoredEvent(event_id, event, created)])


def deliver_all_webhooks(
    uow: UnitOfWork, services: Services, outlets: Outlets, events: Sequence[StoredEvent]
) -> AfterCommit:
    """`deliver_webhooks` for many stored events, each tenant's webhooks read once."""
    hooks: dict[str, list[Webhook]] = {}
    afters = []
    for stored in events:
        tenant = stored.event.tenant_id
        if tenant not in hooks:
            hooks[tenant] = uow.webhooks.list(tenant, deleted_at=None).items
        afters.append(_deliveries(uow, services, outlets, stored, hooks[tenant]))
    return in_turn(afters)


def _deliveries(
    uow: UnitOfWork, services: Services, outlets: Outlets, stored: StoredEvent, webhooks: list[Webhook]
) -> AfterCommit:
    event, event_id = stored.event, stored.id
    type = type_of(event)
    if type is None:
        return None
    hooks = [h for h in webhooks if type in h.events]
    if not hooks:
        return None
    now = services.clock.now()
    created = stored.occurred_at
    data = _data(uow, event)
    made = []
    for hook in hooks:
        id = delivery_id(event_id, hook.id)
        delivery = WebhookDelivery(
            id=id,
            tenant_id=event.tenant_id,
            webhook_id=hook.id,
            event_id=event_id,
            type=type,
            body=body_of(id, type, created, data),
            created_at=now,
            enqueued_at=now,
        )
        try:
            uow.webhook_deliveries.add(delivery)
        except Conflict:
            continue  # made already: one per (event, webhook)
        made.append(id)
    if not made:
        return None

    def send() -> None:
        for id in made:
            outlets.queue.deliver_webhook(id)

    return send


def _data(uow: UnitOfWork, event: DomainEvent) -> dict[str, Any]:
    """What a delivery tells of the event."""
    payload = {k: v for k, v in payload_of(event).items() if k != "tenant_id"}
    if not isinstance(event, ReceiptMoved):
        return payload
    receipt = uow.receipts.get(event.tenant_id, event.receipt_id)
    told = {
        "receipt_id": event.receipt_id,
        "event_id": event.event_id,
        "event": event.type,
        "status": event.status,
        "on": event.on,
        "reason": event.reason,
    }
    if receipt is not None:
        told |= {
            "number": receipt.number,
            "settlement_id": receipt.settlement_id,
            "unit_id": receipt.unit_id,
            "total": format(from_cents(receipt.total_cents), "f"),
            "currency": receipt.currency,
            "due_on": receipt.due_on.isoformat() if receipt.due_on else None,
        }
    remitted = remitted_by(uow, event) if event.type in ("presented", "represented") else None
    if remitted is not None:
        remittance = remitted[1]
        told |= {"collection_date": remittance.collection_date.isoformat(), "remittance_id": remittance.id}
    off = called_off(uow, event.tenant_id, [event]).get(event.event_id)  # withdrawn: the debit called off
    if off is not None:
        told |= {"collection_date": off.debit_on.isoformat(), "remittance_id": off.remittance_id}
    return told


def deliver(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, outlets: Outlets, delivery_id: str
) -> WebhookDelivery | None:
    """Post the delivery once, signed now, and keep what came of it: delivered on a 2xx, failed for good
    when its URL may not be reached (or its webhook was deleted), else queued again with backoff until a
    day has passed. None when there was nothing to do now."""
    now = clock.now()
    with unit_of_work() as uow:
        job = uow.delivery_jobs.claim(delivery_id, now, now + outlets.lease)
        if job is None:
            _not_yet(uow, clock, outlets.queue, delivery_id, now)
            return None
        webhook = uow.webhooks.get(job.tenant_id, job.webhook_id)
        ended = None
        if webhook is None or webhook.deleted_at is not None:
            ended = replace(job.given_up(now), reason="the webhook was deleted")
        elif job.attempts > outlets.webhook_retry.max_attempts:
            ended = job.given_up(now)
        if ended is not None:
            uow.delivery_jobs.hold(ended)
            uow.commit()
            return ended
        uow.commit()
    assert webhook is not None
    body = job.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "prorata-webhooks",
        "Prorata-Event-Id": job.id,
        "Prorata-Signature": header(webhook.secret, int(clock.now().timestamp()), body),
    }
    answer = outlets.webhooks.post(webhook.url, body, headers)
    now = clock.now()
    after = job.answered(answer, now, outlets.webhook_retry)
    with unit_of_work() as uow:
        try:
            uow.delivery_jobs.hold(after)
        except LeaseLost:
            log.warning("delivery %s: attempt %d lost its job; its answer is dropped", job.id, job.attempts)
            return None
        uow.commit()
    if after.status is DeliveryStatus.QUEUED:
        assert after.not_before is not None
        outlets.queue.deliver_webhook(after.id, max(0.0, (after.not_before - now).total_seconds()))
    log.info("delivery %s (%s): %s", after.id, after.type, after.status.value)
    return after


def _not_yet(
    uow: UnitOfWork, clock: Clock, queue: DeliveryQueue, delivery_id: str, claimed_at: datetime
) -> None:
    """A message that came before its retry's time is sent again for that time, judged by the claim's own
    time (one due between the claim and now would otherwise wait for the sweeper)."""
    found = uow.webhook_deliveries.get(None, delivery_id)
    waiting = found is not None and found.status is DeliveryStatus.QUEUED
    if waiting and found is not None and found.not_before is not None and found.not_before > claimed_at:
        queue.deliver_webhook(found.id, max(0.0, (found.not_before - clock.now()).total_seconds()))


def sweep_deliveries(uow: UnitOfWork, clock: Clock, queue: DeliveryQueue, stale: timedelta) -> list[str]:
    """Send again the deliveries no worker holds, each at most once per `stale` interval."""
    now = clock.now()
    before = now - stale
    jobs = uow.delivery_jobs
    due = [id for id in jobs.due(now, before) if jobs.mark_sent(id, now, before)]
    uow.commit()
    for id in due:
        queue.deliver_webhook(id)
    return due
