"""A publish's many receipts reach each resident once, and cheaply: the relay takes many events to a
transaction and the sender many pushes to a message, so a push costs a few SQL statements — not the 35
it took one by one — and never reads the settlement's readings (a megabyte of JSON in a 10,000-unit
community). Whatever races or comes twice, each push is accepted once. (Some 2 s a database: an import
of 160 units and their pushes.)"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from prorata.adapters.sql import tables
from prorata.adapters.sql.pace import NoPace, SqlaPace
from prorata.application.event_handlers import handlers
from prorata.application.process_import import process_import
from prorata.application.pushes import send_notifications
from prorata.application.relay import dispatch_all
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.domain.community.model import Language, Resident
from prorata.domain.notifications.model import Notification, NotificationStatus
from prorata.domain.notifications.pacing import MICROS, most_in_a_second, step_micros
from tests.api_client import Caller, key_for, new_tenant
from tests.fake_onesignal import API_KEY, APP_ID, FakeOneSignal, fake_onesignal
from tests.integration.notification_world import (
    MovingClock,
    RecordingQueue,
    Running,
    onesignal_env,
    running,
)
from tests.production_files import community_workbook, owners

UNITS = 160


@dataclass
class Published:
    tenant: str
    manager: Caller
    settlement_id: str


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOneSignal]:
    with fake_onesignal() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh(fake: FakeOneSignal) -> None:
    fake.reset()


@pytest.fixture(scope="module")
def live(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, fake: FakeOneSignal
) -> Iterator[Running]:
    env = onesignal_env(fake.root, APP_ID, API_KEY, PRORATA_ONESIGNAL_MAX_RPS="5000")
    with running(database_url, tmp_path_factory.mktemp("live"), workers=True, env=env) as parts:
        yield parts


@pytest.fixture(scope="module")
def direct(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, fake: FakeOneSignal
) -> Iterator[Running]:
    env = onesignal_env(fake.root, APP_ID, API_KEY)
    with running(database_url, tmp_path_factory.mktemp("direct"), workers=False, env=env) as parts:
        yield parts


def imported(on: Running, code: str, units: int = UNITS) -> Published:
    """A community of `units` owners registered beforehand with their push ids, its export imported and
    settled (not yet published)."""
    parts = on.parts
    tenant = new_tenant(parts)
    manager = Caller(on.app.test_client(), key_for(parts, Role.MANAGER, tenant))
    with parts.unit_of_work() as uow:
        uow.residents.add_all(
            [
                Resident(parts.ids.new(), tenant, o.name, language=Language.CA, external_id=f"app-{o.tax_id}",
                         tax_id=o.tax_id)
                for o in owners(code, units)
            ]
        )  # fmt: skip
        uow.commit()
    upload = manager.upload("/v1/imports", community_workbook(code, units, f"{units * 50}.00"), "export.xlsx")
    assert upload.status_code == 202, upload.get_json()
    import_id = upload.get_json()["id"]
    if on.worker is None:  # no worker to run it: run it here
        with parts.unit_of_work() as uow:
            process_import(uow, parts.services, import_id)
    job = _until(lambda: _settled(manager, import_id), on)
    [settlement] = job["settlements"]
    return Published(tenant, manager, settlement["id"])


def _settled(manager: Caller, import_id: str) -> dict[str, Any] | None:
    job: dict[str, Any] = manager.get(f"/v1/imports/{import_id}").get_json()
    assert job["status"] not in ("failed", "awaiting_costs"), job
    return job if job["status"] == "settled" else None


def _until(found: Any, on: Running, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while (value := found()) is None:
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return value


def pending(on: Running, tenant: str) -> list[str]:
    """The tenant's events not dispatched yet (the import's and the publish's): none is left behind in a
    database other tests share."""
    t = tables.outbox
    with on.parts.engine.connect() as connection:
        found = select(t.c.id).where(t.c.tenant_id == tenant, t.c.dispatched_at.is_(None))
        return [str(id) for id in connection.execute(found.order_by(t.c.id)).scalars()]


def notifications(on: Running, tenant: str) -> list[Notification]:
    with on.parts.unit_of_work() as uow:
        return uow.notifications.list(tenant).items


def test_a_large_publish_reaches_each_resident_once_in_a_few_statements_a_push(
    live: Running, fake: FakeOneSignal, caplog: pytest.LogCaptureFixture
) -> None:
    published = imported(live, "B0160")
    statements: list[str] = []
    main = threading.main_thread()

    def count(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        if threading.current_thread() is not main:  # the workers', not the publish's own
            statements.append(statement)

    event.listen(live.parts.engine, "before_cursor_execute", count)
    caplog.set_level(logging.INFO, logger="prorata.jobs")
    try:
        answer = published.manager.post(f"/v1/settlements/{published.settlement_id}/publish")
        assert answer.status_code == 201, answer.get_json()

        def all_sent() -> list[Notification] | None:
            made = notifications(live, published.tenant)
            done = len(made) == UNITS and all(n.status is NotificationStatus.SENT for n in made)
            return made if done else None

        made = _until(all_sent, live)
        live.drain()
    finally:
        event.remove(live.parts.engine, "before_cursor_execute", count)
    assert len(fake.created) == UNITS
    for n in made:
        assert fake.created_for(n.receipt_id, n.event_id, n.external_id) == 1
        assert n.provider_id == fake.by_key[n.idempotency_key]
    assert {n.language for n in made} == {"ca"}
    per_push = len(statements) / UNITS
    assert per_push < 8, f"{per_push:.1f} statements a push"
    reading = [s for s in statements if "settlements.readings" in s]
    assert reading == [], "a push read the settlement's readings"
    jobs = [vars(r) for r in caplog.records if r.name == "prorata.jobs"]
    lines = [line for line in jobs if line["actor"] == "send_notification"]
    # several to a message, yet a line for each: its tenant, what came of it
    assert sorted(line["job_id"] for line in lines) == sorted(n.id for n in made)
    assert {(line["tenant_id"], line["status"], line["outcome"]) for line in lines} == {
        (published.tenant, "sent", "ok")
    }
    assert len({line["message_id"] for line in lines}) < UNITS


def test_a_batch_relayed_twice_at_once_makes_each_notification_once_and_pushes_it_once(
    direct: Running, fake: FakeOneSignal
) -> None:
    published = imported(direct, "B0040", units=40)
    queue = RecordingQueue()
    outlets = replace(direct.parts.outlets, queue=queue, pace=NoPace())
    answer = published.manager.post(f"/v1/settlements/{published.settlement_id}/publish")
    assert answer.status_code == 201, answer.get_json()
    ids = pending(direct, published.tenant)
    reactions = handlers(direct.parts.services, outlets)
    relays = [
        threading.Thread(
            target=dispatch_all, args=(direct.parts.unit_of_work, direct.parts.clock, reactions, ids)
        )
        for _ in range(2)
    ]
    for relay in relays:
        relay.start()
    for relay in relays:
        relay.join()
    made = notifications(direct, published.tenant)
    assert len(made) == 40
    assert sorted(id for id, _ in queue.notifications) == sorted(n.id for n in made)  # each woken once
    clock = MovingClock()
    batch = [n.id for n in made]
    senders = [
        threading.Thread(target=send_notifications, args=(direct.parts.unit_of_work, clock, outlets, batch))
        for _ in range(3)
    ]  # the same message delivered to three workers
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert len(fake.requests) == 40
    assert {n.status for n in notifications(direct, published.tenant)} == {NotificationStatus.SENT}


class LeaseEater(MovingClock):
    """A clock that runs a whole lease on while each push is on its way."""

    def __init__(self, fake: FakeOneSignal, lease: float) -> None:
        super().__init__()
        self.fake, self.lease, self.seen = fake, lease, 0

    def now(self) -> Any:
        if len(self.fake.requests) > self.seen:
            self.seen = len(self.fake.requests)
            self.advance(self.lease)
        return super().now()


def test_pushes_a_worker_could_not_finish_within_its_lease_are_given_back_and_sent_once_later(
    direct: Running, fake: FakeOneSignal, tmp_path: Path
) -> None:
    published = imported(direct, "B0005", units=5)
    queue = RecordingQueue()
    outlets = replace(direct.parts.outlets, queue=queue, pace=NoPace())
    assert published.manager.post(f"/v1/settlements/{published.settlement_id}/publish").status_code == 201
    ids = pending(direct, published.tenant)
    dispatch_all(direct.parts.unit_of_work, direct.parts.clock, handlers(direct.parts.services, outlets), ids)
    batch = [id for id, _ in queue.notifications]
    queue.notifications.clear()
    clock = LeaseEater(fake, outlets.lease.total_seconds())
    done = send_notifications(direct.parts.unit_of_work, clock, outlets, batch)
    assert [n.status for n in done] == [NotificationStatus.SENT]  # then half its lease had gone
    waiting = [n for n in notifications(direct, published.tenant) if n.status is NotificationStatus.QUEUED]
    assert len(waiting) == 4
    assert {n.attempts for n in waiting} == {0}  # given back, not counted as tried
    assert sorted(id for id, _ in queue.notifications) == sorted(n.id for n in waiting)  # sent on at once
    send_notifications(direct.parts.unit_of_work, MovingClock(), outlets, [n.id for n in waiting])
    assert len(fake.requests) == 5
    assert {n.status for n in notifications(direct, published.tenant)} == {NotificationStatus.SENT}


def test_answers_kept_together_drop_only_the_one_whose_attempt_lost_its_job(direct: Running) -> None:
    published = imported(direct, "B0003", units=3)
    outlets = replace(direct.parts.outlets, queue=RecordingQueue(), pace=NoPace())
    assert published.manager.post(f"/v1/settlements/{published.settlement_id}/publish").status_code == 201
    ids = pending(direct, published.tenant)
    dispatch_all(direct.parts.unit_of_work, direct.parts.clock, handlers(direct.parts.services, outlets), ids)
    clock = MovingClock()
    lease = outlets.lease
    with direct.parts.unit_of_work() as uow:
        first = uow.notification_jobs.claim_all([n.id for n in notifications(direct, published.tenant)],
                                                clock.now(), clock.now() + lease)  # fmt: skip
        uow.commit()
    clock.advance(lease.total_seconds() + 1)  # its lease ran out: another worker takes the last one over
    with direct.parts.unit_of_work() as uow:
        taken_over = uow.notification_jobs.claim(first[-1].id, clock.now(), clock.now() + lease)
        uow.commit()
    assert taken_over is not None
    late = [replace(job, status=NotificationStatus.FAILED, reason="late answer") for job in first]
    with direct.parts.unit_of_work() as uow:
        kept = uow.notification_jobs.hold_all(late)
        uow.commit()
    assert [n.id for n in kept] == [n.id for n in first[:-1]]
    now = {n.id: n for n in notifications(direct, published.tenant)}
    assert [now[n.id].status for n in first] == [NotificationStatus.FAILED] * 2 + [NotificationStatus.SENDING]
    assert now[first[-1].id].attempts == taken_over.attempts


def test_two_processes_taking_slots_in_blocks_keep_to_one_limit_in_a_few_transactions(
    components: Components,
) -> None:
    name, limit = f"test-{time.monotonic_ns()}", 2000
    paces = [SqlaPace(components.engine, name, limit, components.clock) for _ in range(2)]
    leaving: list[int] = []
    taken: list[str] = []

    def count(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        if "send_paces" in statement:
            taken.append(statement)

    def send(pace: SqlaPace) -> None:
        for _ in pace.turns(150):
            leaving.append(int(components.clock.now().timestamp() * MICROS))

    event.listen(components.engine, "before_cursor_execute", count)
    try:
        senders = [threading.Thread(target=send, args=(pace,)) for pace in paces]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
    finally:
        event.remove(components.engine, "before_cursor_execute", count)
    assert len(leaving) == 300
    assert most_in_a_second(leaving) <= limit
    assert len(taken) < 300 / 4  # a slot a transaction would be 300 transactions of two statements


def test_a_sender_slower_than_the_pace_holds_back_no_other(components: Components) -> None:
    name, limit = f"test-{time.monotonic_ns()}", 100  # a slot every 11 ms; each push takes 25 ms
    slow, other = (SqlaPace(components.engine, name, limit, components.clock) for _ in range(2))

    def send() -> None:
        for _ in slow.turns(24):
            time.sleep(0.025)

    sending = threading.Thread(target=send)
    sending.start()
    time.sleep(0.1)
    turn = other.take()  # while the slow one is busy: it holds a step or two ahead, not its 24 slots
    sending.join()
    assert turn.wait_seconds <= 3 * step_micros(limit) / MICROS
