"""What the notification and webhook tests share: prorata wired to a stand-in OneSignal (its own broker,
with or without workers), a community whose units have owners and an occupant with push addresses, and
ways to drive the use cases step by step on a clock the test moves."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from flask import Flask
from sqlalchemy import select

from prorata.adapters.dramatiq_deliveries import NOTIFICATIONS, WEBHOOKS
from prorata.adapters.dramatiq_queue import EVENTS, QUEUE
from prorata.adapters.sql import tables
from prorata.adapters.sql.pace import SqlaPace
from prorata.application.event_handlers import handlers
from prorata.application.outlets import Outlets
from prorata.application.relay import dispatch
from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.domain.ports.pace import Pace
from prorata.entrypoints.api.app import create_app
from prorata.entrypoints.worker import declare_actors
from tests.api_client import Caller
from tests.integration.published import publish
from tests.integration.test_api_settlement_flow import build_community

CREDITOR_ID = "ES97000B12345678"
ROSA_IBAN = "ES7421000000610123456789"


@dataclass
class Running:
    """prorata on its own broker; `worker` None when the test drives the use cases itself."""

    parts: Components
    app: Flask
    worker: dramatiq.Worker | None

    def drain(self) -> None:
        """Wait until every message — imports, events, notifications, deliveries — has been handled."""
        broker = self.parts.broker
        assert isinstance(broker, StubBroker)
        assert self.worker is not None
        queues = (QUEUE, EVENTS, NOTIFICATIONS, WEBHOOKS)
        while True:
            for queue in queues:
                broker.join(queue, fail_fast=True)
            self.worker.join()
            if all(broker.queues[q].unfinished_tasks == 0 for q in queues):
                return


@contextmanager
def running(
    database_url: str,
    data_dir: Path,
    workers: bool,
    env: Mapping[str, str] | None = None,
    pace: Pace | None = None,
) -> Iterator[Running]:
    """prorata wired from these settings; `pace` in place of the shared one it would use."""
    settings = Settings.from_environment(
        {"PRORATA_DATA_DIR": str(data_dir), "PRORATA_DATABASE_URL": database_url, **(env or {})}
    )
    parts = bootstrap(settings)
    if pace is not None:
        parts = replace(parts, outlets=replace(parts.outlets, pace=pace))
    parts.upgrade_database()
    worker = None
    if workers:
        declare_actors(parts)
        worker = dramatiq.Worker(parts.broker, worker_threads=4, worker_timeout=20)
        worker.start()
    try:
        yield Running(parts, create_app(parts), worker)
    finally:
        if worker is not None:
            worker.stop()
        parts.engine.dispose()


def onesignal_env(root: str, app_id: str, api_key: str, **more: str) -> dict[str, str]:
    return {
        "PRORATA_ONESIGNAL_APP_ID": app_id,
        "PRORATA_ONESIGNAL_API_KEY": api_key,
        "PRORATA_ONESIGNAL_API_ROOT": root,
        "PRORATA_NOTIFY_BACKOFF_SECONDS": "0",
        "PRORATA_ONESIGNAL_TIMEOUT_SECONDS": "2",
        **more,
    }


@dataclass
class World:
    """One community: 1A owned by Rosa (es, IBAN and mandate) and occupied by Marc (ca); 1B owned by
    Jordi (en); Local owned by Bar Pepe, who has no push address. Receipts by unit code."""

    community: dict[str, Any]
    units: dict[str, str]
    residents: dict[str, dict[str, Any]]
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)


def populated(manager: Caller, community: dict[str, Any]) -> World:
    units = build_community(manager, community)
    patched = manager.patch(f"/v1/communities/{community['id']}", {"creditor_id": CREDITOR_ID})
    assert patched.status_code == 200, patched.get_json()
    people = {
        "rosa": {"name": "Rosa Díaz", "language": "es", "external_id": f"rosa-{community['id']}",
                 "iban": ROSA_IBAN, "mandate_id": "M-1", "mandate_signed_on": "2024-05-01",
                 "units": [{"unit_id": units["1A"], "role": "owner", "since": "2020-01-01"}]},
        "marc": {"name": "Marc Vidal", "language": "ca", "external_id": f"marc-{community['id']}",
                 "units": [{"unit_id": units["1A"], "role": "occupant", "since": "2025-09-01"}]},
        "jordi": {"name": "Jordi Puig", "language": "en", "external_id": f"jordi-{community['id']}",
                  "units": [{"unit_id": units["1B"], "role": "owner", "since": "2020-01-01"}]},
        "pepe": {"name": "Bar Pepe SL", "language": "es",
                 "units": [{"unit_id": units["Local"], "role": "owner", "since": "2020-01-01"}]},
    }  # fmt: skip
    residents = {key: manager.created("/v1/residents", body) for key, body in people.items()}
    return World(community, units, residents)


def published_world(manager: Caller, community: dict[str, Any]) -> World:
    world = populated(manager, community)
    world.receipts = dict(zip(("1A", "1B", "Local"), publish(manager, community["id"]), strict=True))
    return world


class MovingClock:
    """A clock the test moves."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime.now(UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class RecordingQueue:
    """Wakes no worker: records what would have been sent, with its delay."""

    notifications: list[tuple[str, float]] = field(default_factory=list)
    deliveries: list[tuple[str, float]] = field(default_factory=list)

    def send_notification(self, notification_id: str, delay_seconds: float = 0) -> None:
        self.notifications.append((notification_id, delay_seconds))

    def send_notifications(self, notification_ids: list[str]) -> None:
        self.notifications.extend((id, 0) for id in notification_ids)

    def deliver_webhook(self, delivery_id: str, delay_seconds: float = 0) -> None:
        self.deliveries.append((delivery_id, delay_seconds))


def events_of(parts: Components, tenant: str, kind: str = "ReceiptMoved") -> list[tuple[str, dict[str, Any]]]:
    """The tenant's stored events of a kind, oldest first: (id, payload)."""
    t = tables.outbox
    with parts.engine.connect() as connection:
        found = connection.execute(
            select(t.c.id, t.c.payload).where(t.c.tenant_id == tenant, t.c.kind == kind).order_by(t.c.id)
        )
        return [(str(id), dict(payload)) for id, payload in found]


def dispatched(parts: Components, outlets: Outlets, clock: Any, event_id: str) -> bool:
    """Hand one stored event to its handlers, as the relay's worker does, with these outlets."""
    return dispatch(parts.unit_of_work, clock, handlers(parts.services, outlets), event_id)


class TimedPace:
    """The shared pace, noting the slot each caller was given (µs since the epoch)."""

    def __init__(self, pace: SqlaPace) -> None:
        self.pace = pace
        self.slots: list[int] = []
        self.lock = threading.Lock()

    def wait_turn(self) -> float:
        turn = self.pace.take()
        with self.lock:
            self.slots.append(turn.slot)
        if turn.wait_seconds > 0:
            time.sleep(turn.wait_seconds)
        return turn.wait_seconds

    def turns(self, count: int) -> Iterator[float]:
        for _ in range(count):
            yield self.wait_turn()
