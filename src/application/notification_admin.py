"""Use cases for staff, support and residents: notifications listed, a resident's own read, and support's
requeue of one under the same idempotency key."""

from __future__ import annotations

from prorata.application.access import require
from prorata.application.errors import Forbidden, NotFound
from prorata.application.me import me
from prorata.application.outlets import Outlets
from prorata.domain.access.principal import Action, Principal, Role
from prorata.domain.notifications.model import Notification
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.repository import Conflict, Page
from prorata.domain.ports.unit_of_work import UnitOfWork


class NotificationsOff(Exception):
    """No OneSignal app is configured: notifications are recorded only, none can be sent (HTTP 409)."""

    code = "notifications_not_configured"


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
