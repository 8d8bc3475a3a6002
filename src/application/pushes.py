"""Use case: push notifications, several to a worker's message, and keep what each answer means.

The notifications are claimed in one write, committed before any request, so a worker killed mid-request
leaves them to be claimed again once their lease has run out — and sent again under the same
idempotency key, which OneSignal delivers once. They go one after another, each on its slot of the
shared pace (taken in blocks); the answers are kept in one transaction, each fenced by its own attempt.
A worker sends no request it could not finish within its lease: those not started by half of it are
given back, waiting again, their attempt not counted."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from prorata.application.outlets import Outlets
from prorata.domain.notifications.model import Notification, NotificationStatus
from prorata.domain.notifications.outcomes import classify
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.delivery_queue import DeliveryQueue
from prorata.domain.ports.unit_of_work import UnitOfWork

log = logging.getLogger("prorata.application.notifications")


def send_notification(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, outlets: Outlets, notification_id: str
) -> Notification | None:
    """Push the notification once and keep what the answer means: sent, not delivered, failed, or queued
    again for a retry (its message sent with the wait). None when there was nothing to do now."""
    done = send_notifications(unit_of_work, clock, outlets, [notification_id])
    return done[0] if done else None


def send_notifications(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, outlets: Outlets, notification_ids: Sequence[str]
) -> list[Notification]:
    """`send_notification` for several, one after another: those that ended or were answered now, in
    the order asked (not those another worker holds, nor those given back)."""
    now = clock.now()
    lease_until = now + outlets.lease
    with unit_of_work() as uow:
        claimed = {j.id: j for j in uow.notification_jobs.claim_all(list(notification_ids), now, lease_until)}
        _not_yet(uow, clock, outlets.queue, [id for id in notification_ids if id not in claimed], now)
        jobs = [claimed[id] for id in dict.fromkeys(notification_ids) if id in claimed]
        ended = [_ended(job, outlets, now) for job in jobs]
        for job in ended:
            if job is not None:
                uow.notification_jobs.hold(job)
        uow.commit()
    to_send = [job for job, end in zip(jobs, ended, strict=True) if end is None]
    answered, left = _pushed(clock, outlets, to_send, now + outlets.lease / 2)
    with unit_of_work() as uow:
        kept = uow.notification_jobs.hold_all(answered)
        written = {n.id for n in kept}
        for lost in (n for n in answered if n.id not in written):
            log.warning(
                "notification %s: attempt %d lost its job; its answer is dropped", lost.id, lost.attempts
            )
        given_back = [job.id for job in left if uow.notification_jobs.release(job)]
        uow.commit()
    for after in kept:
        if after.status is NotificationStatus.QUEUED:
            assert after.not_before is not None
            outlets.queue.send_notification(
                after.id, max(0.0, (after.not_before - clock.now()).total_seconds())
            )
        log.info("notification %s (%s): %s", after.id, after.kind.value, after.status.value)
    if given_back:
        log.info("%d notification(s) given back: this attempt's lease would not cover them", len(given_back))
        outlets.queue.send_notifications(given_back)
    done = {n.id: n for n in [e for e in ended if e is not None] + kept}
    return [done[id] for id in dict.fromkeys(notification_ids) if id in done]


def _ended(job: Notification, outlets: Outlets, now: datetime) -> Notification | None:
    """The job ended without a request (claimed too often, or OneSignal configured away since it was
    queued); None when it is to be sent."""
    if job.attempts > outlets.retry.max_attempts:
        return job.given_up(now)
    if outlets.notifier is None:
        return job.recorded_only(now)
    return None


def _pushed(
    clock: Clock, outlets: Outlets, jobs: list[Notification], deadline: datetime
) -> tuple[list[Notification], list[Notification]]:
    """Each job's push on its turn, and what its answer makes of it; and the jobs not started by the
    deadline."""
    if not jobs:
        return [], []
    notifier = outlets.notifier
    assert notifier is not None
    notifier.ready()  # before the turns: a request leaves on its slot, not a client's making later
    turns = outlets.pace.turns(len(jobs))
    answered: list[Notification] = []
    for n, job in enumerate(jobs):
        if clock.now() > deadline:
            return answered, jobs[n:]
        next(turns)
        answer = notifier.send(job.push)
        now = clock.now()
        answered.append(job.answered(classify(answer, now), now, outlets.retry))
    return answered, []


def _not_yet(
    uow: UnitOfWork, clock: Clock, queue: DeliveryQueue, notification_ids: list[str], claimed_at: datetime
) -> None:
    """Messages that came before their retry's time (clocks apart) are sent again for that time. Judged
    by the claim's own time: one that fell due between the claim and now would otherwise be neither
    claimed nor sent again, and wait for the sweeper."""
    if not notification_ids:
        return
    for found in uow.notifications.list(None, id=notification_ids).items:
        waiting = found.status is NotificationStatus.QUEUED
        if waiting and found.not_before is not None and found.not_before > claimed_at:
            queue.send_notification(found.id, max(0.0, (found.not_before - clock.now()).total_seconds()))
