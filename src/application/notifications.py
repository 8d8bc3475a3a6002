"""Use cases: notifications to residents. The outbox handler makes one per (receipt, event, resident) for
every move of a receipt that residents are told of (the database refuses a second); a worker pushes it,
at the shared pace, and keeps what OneSignal's answer means; staff list them, a resident reads hers, and
support sends one again under the same idempotency key."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from prorata.application.access import require
from prorata.application.errors import Forbidden, NotFound
from prorata.application.me import me
from prorata.application.outlets import Outlets
from prorata.application.receipt_facts import receipt_facts
from prorata.application.relay import AfterCommit
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal, Role
from prorata.domain.collection.remittance import Remittance, RemittanceItem
from prorata.domain.community.iban import mask_iban
from prorata.domain.events import ReceiptMoved
from prorata.domain.notifications.messages import News, localized
from prorata.domain.notifications.model import Notification, NotificationKind, NotificationStatus, data_of
from prorata.domain.notifications.outcomes import classify
from prorata.domain.notifications.rules import idempotency_key, kind_for, recipients
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.delivery_queue import DeliveryQueue
from prorata.domain.ports.jobs import LeaseLost
from prorata.domain.ports.repository import Conflict, Page
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.facts import ReceiptFacts
from prorata.domain.receipts.lifecycle import EventType
from prorata.domain.receipts.receipt import IssuedReceipt

log = logging.getLogger(__name__)


class NotificationsOff(Exception):
    """No OneSignal app is configured: notifications are recorded only, none can be sent (HTTP 409)."""

    code = "notifications_not_configured"


def notify_residents(
    uow: UnitOfWork, services: Services, outlets: Outlets, event: ReceiptMoved
) -> AfterCommit:
    """The outbox handler: the notifications a receipt's move makes (domain/notifications/rules.py),
    queued — or recorded only, without OneSignal. Sent to workers after commit."""
    kind_if_plain = kind_for(EventType(event.type), corrects=False)
    if kind_if_plain is None:
        return None
    receipt = uow.receipts.get(event.tenant_id, event.receipt_id)
    if receipt is None:
        return None
    facts = receipt_facts(uow, [receipt])[0]
    kind = kind_for(EventType(event.type), _replaces_a_receipt(uow, facts))
    assert kind is not None
    entry = uow.receipt_events.get(event.tenant_id, event.event_id)
    now = services.clock.now()
    day = entry.recorded_at.date() if entry is not None else now.date()
    holders = uow.residents.list(event.tenant_id, unit_id=receipt.unit_id).items
    news = _news(uow, kind, facts, event)
    queued = outlets.notifier is not None
    made = []
    for resident in recipients(kind, holders, receipt.unit_id, day, facts.payer):
        assert resident.external_id is not None
        headings, contents = localized(resident.language.value, news)
        notification = Notification(
            id=services.ids.new(),
            tenant_id=event.tenant_id,
            receipt_id=receipt.id,
            event_id=event.event_id,
            resident_id=resident.id,
            kind=kind,
            language=next(iter(headings)),
            external_id=resident.external_id.strip(),
            idempotency_key=idempotency_key(receipt.id, event.event_id, resident.id),
            created_at=now,
            headings=headings,
            contents=contents,
            data=data_of(receipt.id, event.event_id, kind),
            status=NotificationStatus.QUEUED if queued else NotificationStatus.RECORDED_ONLY,
            enqueued_at=now if queued else None,
            finished_at=None if queued else now,
        )
        try:
            uow.notifications.add(notification)
        except Conflict:
            continue  # made already: one per (receipt, event, resident)
        made.append(notification.id)
    if not queued or not made:
        return None

    def send() -> None:
        for id in made:
            outlets.queue.send_notification(id)

    return send


def _replaces_a_receipt(uow: UnitOfWork, facts: ReceiptFacts) -> bool:
    """Whether the receipt was issued by a correction that replaced a receipt of its unit."""
    corrected = facts.settlement.supersedes
    if corrected is None:
        return False
    earlier = uow.receipts.list(
        facts.receipt.tenant_id, settlement_id=corrected, unit_id=facts.unit.id, limit=1
    )
    return bool(earlier.items)


def _news(uow: UnitOfWork, kind: NotificationKind, facts: ReceiptFacts, event: ReceiptMoved) -> News:
    """What the notification tells. A collection by one of our remittances is told with its debit date,
    and the mandate, account and creditor identifier the remittance used (the SEPA pre-notification);
    one a management system reports, with the payer's and the community's as they are now."""
    receipt: IssuedReceipt = facts.receipt
    news = News(
        kind=kind,
        number=receipt.number,
        community=facts.community.name,
        service=facts.settlement.service.value,
        period_start=facts.settlement.period.start,
        period_end=facts.settlement.period.end,
        total_cents=receipt.total_cents,
        currency=receipt.currency,
        on=date.fromisoformat(event.on),
        due_on=receipt.due_on,
        reason=event.reason,
    )
    if kind is not NotificationKind.SENT_FOR_COLLECTION:
        return news
    remitted = remitted_by(uow, event)
    if remitted is not None:
        item, remittance = remitted
        return replace(
            news,
            debit_on=remittance.collection_date,
            mandate=item.mandate_id,
            creditor=remittance.creditor.creditor_id,
            account=mask_iban(item.payer_iban),
        )
    payer = facts.payer
    return replace(
        news,
        mandate=payer.mandate_id if payer else None,
        creditor=facts.community.creditor_id,
        account=mask_iban(payer.iban) if payer and payer.iban else None,
    )


def remitted_by(uow: UnitOfWork, event: ReceiptMoved) -> tuple[RemittanceItem, Remittance] | None:
    """The remittance item a presentation was made by (domain/collection), if one was."""
    items = uow.remittance_items.list(event.tenant_id, event_id=event.event_id, limit=1).items
    if not items:
        return None
    remittance = uow.remittances.get(event.tenant_id, items[0].remittance_id)
    return None if remittance is None else (items[0], remittance)


def send_notification(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, outlets: Outlets, notification_id: str
) -> Notification | None:
    """Push the notification once and keep what the answer means: sent, not delivered, failed, or queued
    again for a retry (its message sent with the wait). The claim is committed before the request, so a
    worker killed mid-request leaves it to be claimed again once its lease has run out — and sent again
    under the same idempotency key, which OneSignal delivers once. None when there was nothing to do now."""
    now = clock.now()
    with unit_of_work() as uow:
        job = uow.notification_jobs.claim(notification_id, now, now + outlets.lease)
        if job is None:
            _not_yet(uow, clock, outlets.queue, notification_id)
            return None
        if job.attempts > outlets.retry.max_attempts:
            ended = job.given_up(now)
            uow.notification_jobs.hold(ended)
            uow.commit()
            return ended
        if outlets.notifier is None:  # OneSignal configured away since it was queued
            ended = job.recorded_only(now)
            uow.notification_jobs.hold(ended)
            uow.commit()
            return ended
        uow.commit()
    outlets.notifier.ready()  # before the turn: the request leaves on its slot, not a client's making later
    outlets.pace.wait_turn()
    answer = outlets.notifier.send(job.push)
    now = clock.now()
    after = job.answered(classify(answer, now), now, outlets.retry)
    with unit_of_work() as uow:
        try:
            uow.notification_jobs.hold(after)
        except LeaseLost:
            log.warning(
                "notification %s: attempt %d lost its job; its answer is dropped", job.id, job.attempts
            )
            return None
        uow.commit()
    if after.status is NotificationStatus.QUEUED:
        assert after.not_before is not None
        outlets.queue.send_notification(after.id, max(0.0, (after.not_before - now).total_seconds()))
    log.info("notification %s (%s): %s", after.id, after.kind.value, after.status.value)
    return after


def _not_yet(uow: UnitOfWork, clock: Clock, queue: DeliveryQueue, notification_id: str) -> None:
    """A message that came before its retry's time (clocks apart) is sent again for that time."""
    found = uow.notifications.get(None, notification_id)
    now = clock.now()
    waiting = found is not None and found.status is NotificationStatus.QUEUED
    if waiting and found is not None and found.not_before is not None and found.not_before > now:
        queue.send_notification(found.id, (found.not_before - now).total_seconds())


def list_notifications(
    uow: UnitOfWork, caller: Principal, *, offset: int = 0, limit: int | None = None, **where: object
) -> Page[Notification]:
    """The tenant's notifications (support: every tenant's), oldest first, matching `where` (receipt_id,
    resident_id, kind, status). A resident reads hers with `my_notifications`."""
    if caller.role is Role.RESIDENT:
        raise Forbidden("a resident reads her own notifications at /v1/me/notifications")
    require(caller, Action.READ)
    return uow.notifications.list(caller.tenant_scope, offset=offset, limit=limit, **where)


def my_notifications(
    uow: UnitOfWork, caller: Principal, *, offset: int = 0, limit: int | None = None, **where: object
) -> Page[Notification]:
    """The notifications made for the resident the caller's key names, oldest first."""
    resident = me(uow, caller)
    return uow.notifications.list(
        resident.tenant_id, offset=offset, limit=limit, **{**where, "resident_id": resident.id}
    )


def requeue(
    uow: UnitOfWork, clock: Clock, outlets: Outlets, caller: Principal, notification_id: str
) -> Notification:
    """Support sends a notification again from scratch (a new generation of its job), under the same
    idempotency key: OneSignal still delivers it at most once. NotRequeuable while it is on its way,
    NotificationsOff without OneSignal. Committed, then sent to a worker."""
    if caller.role is not Role.SUPPORT:
        raise Forbidden("only support staff may requeue a notification")
    found = uow.notifications.get(caller.tenant_scope, notification_id)
    if found is None:
        raise NotFound(f"no notification {notification_id}")
    if outlets.notifier is None:
        raise NotificationsOff(
            "no OneSignal app is configured (PRORATA_ONESIGNAL_APP_ID, PRORATA_ONESIGNAL_API_KEY): "
            "notifications are recorded only"
        )
    again = found.requeued(clock.now())
    if not uow.notification_jobs.swap(found, again):
        raise Conflict(f"notification {notification_id} changed while it was requeued; read it and retry")
    uow.commit()
    outlets.queue.send_notification(again.id)
    return again


def sweep_notifications(uow: UnitOfWork, clock: Clock, queue: DeliveryQueue, stale: timedelta) -> list[str]:
    """Send again the notifications no worker holds (queued and due, or sending past their lease), each at
    most once per `stale` interval however many processes sweep. Returns their ids."""
    now = clock.now()
    before = now - stale
    jobs = uow.notification_jobs
    due = [id for id in jobs.due(now, before) if jobs.mark_sent(id, now, before)]
    uow.commit()
    for id in due:
        queue.send_notification(id)
    return due
