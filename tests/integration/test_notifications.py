"""Residents told of their receipts on their phones, through a stand-in OneSignal on loopback: once per
(receipt, event, resident), in their language, with the amount and dates — whatever fails in between."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from prorata.adapters.onesignal import OneSignalNotifier
from prorata.adapters.sql import tables
from prorata.adapters.sql.pace import NoPace, SqlaPace
from prorata.application.notifications import notify_residents, sweep_notifications
from prorata.application.outlets import Outlets
from prorata.application.pushes import send_notification
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.domain.events import ReceiptMoved
from prorata.domain.notifications.model import Push
from prorata.domain.notifications.outcomes import RetryPolicy
from prorata.domain.notifications.pacing import most_in_a_second, step_micros
from prorata.domain.notifications.rules import idempotency_key
from tests import fake_onesignal as answers
from tests.api_client import Caller, key_for, new_tenant
from tests.bank_files import Status, pain002
from tests.fake_onesignal import API_KEY, APP_ID, FakeOneSignal, fake_onesignal
from tests.integration.notification_world import (
    ROSA_IBAN,
    MovingClock,
    RecordingQueue,
    Running,
    TimedPace,
    World,
    dispatched,
    events_of,
    onesignal_env,
    published_world,
    running,
)
from tests.integration.published import today
from tests.integration.test_remittances import COMMUNITY_IBAN, collection_day

NBSP = "\u00a0"


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
    """prorata with its workers, sending to the stand-in."""
    env = onesignal_env(fake.root, APP_ID, API_KEY, PRORATA_ONESIGNAL_MAX_RPS="1000")
    with running(database_url, tmp_path_factory.mktemp("live"), workers=True, env=env) as parts:
        yield parts


@pytest.fixture(scope="module")
def direct(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, fake: FakeOneSignal
) -> Iterator[Running]:
    """prorata without workers: the test hands events to the relay and sends notifications itself."""
    env = onesignal_env(fake.root, APP_ID, API_KEY, PRORATA_ONESIGNAL_TIMEOUT_SECONDS="0.5")
    with running(database_url, tmp_path_factory.mktemp("direct"), workers=False, env=env) as parts:
        yield parts


def caller(on: Running, tenant: str, role: Role = Role.MANAGER, resident: str | None = None) -> Caller:
    return Caller(
        on.app.test_client(), key_for(on.parts, role, None if role is Role.SUPPORT else tenant, resident)
    )


def world_on(on: Running, tenant: str) -> tuple[Caller, World]:
    boss = caller(on, tenant)
    community = boss.created("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
    return boss, published_world(boss, community)


def first_event(boss: Caller, receipt: dict[str, Any]) -> str:
    history: list[dict[str, Any]] = boss.get(f"/v1/receipts/{receipt['id']}/events").get_json()
    return str(history[-1]["id"])


def sent_to(fake: FakeOneSignal, external_id: str) -> list[dict[str, Any]]:
    return [b for b in fake.created if b["include_aliases"]["external_id"] == [external_id]]


def test_publishing_tells_every_holder_once_in_their_language(
    live: Running, fake: FakeOneSignal, tenant: str
) -> None:
    boss, world = world_on(live, tenant)
    live.drain()
    rosa, marc, jordi = (world.residents[k] for k in ("rosa", "marc", "jordi"))
    receipt = world.receipts["1A"]
    issued = first_event(boss, receipt)
    assert len(fake.created) == 3  # Rosa and Marc (1A), Jordi (1B); Bar Pepe has no push address
    for who, unit in ((rosa, "1A"), (marc, "1A"), (jordi, "1B")):
        event = first_event(boss, world.receipts[unit])
        assert fake.created_for(world.receipts[unit]["id"], event, who["external_id"]) == 1

    (to_rosa,) = sent_to(fake, rosa["external_id"])
    assert to_rosa["app_id"] == APP_ID
    assert to_rosa["target_channel"] == "push"
    assert to_rosa["idempotency_key"] == idempotency_key(receipt["id"], issued, rosa["id"])
    assert to_rosa["data"] == {"receipt_id": receipt["id"], "event": "issued", "event_id": issued}
    assert list(to_rosa["contents"]) == ["es", "ca", "fr", "en"] == list(to_rosa["headings"])
    assert f"540,00{NBSP}€" in to_rosa["contents"]["es"]
    assert receipt["number"] in to_rosa["contents"]["es"]
    assert "01/01/2026 – 31/03/2026" in to_rosa["contents"]["es"]
    assert (
        f"Vence el {receipt['due_on'][8:]}/{receipt['due_on'][5:7]}/{receipt['due_on'][:4]}"
        in (to_rosa["contents"]["es"])
    )
    (to_marc,) = sent_to(fake, marc["external_id"])
    assert next(iter(to_marc["contents"])) == "ca"
    assert f"540,00{NBSP}€" in to_marc["contents"]["ca"]
    (to_jordi,) = sent_to(fake, jordi["external_id"])
    assert next(iter(to_jordi["contents"])) == "en"
    assert "€385.00" in to_jordi["contents"]["en"]
    request = fake.requests[0]
    assert request.path == "/notifications"
    assert request.headers["authorization"] == f"Key {API_KEY}"

    listed = boss.get(f"/v1/notifications?receipt_id={receipt['id']}").get_json()
    assert sorted(n["resident_id"] for n in listed) == sorted([rosa["id"], marc["id"]])
    assert {n["status"] for n in listed} == {"sent"}
    assert {n["onesignal_id"] for n in listed} == {
        fake.by_key[b["idempotency_key"]] for b in (to_rosa, to_marc)
    }
    mine = caller(live, tenant, Role.RESIDENT, rosa["id"]).get("/v1/me/notifications").get_json()
    assert [(n["receipt_id"], n["event"], n["language"]) for n in mine] == [(receipt["id"], "issued", "es")]
    assert mine[0]["content"] == to_rosa["contents"]["es"]
    assert (
        boss.get(f"/v1/notifications?resident_id={jordi['id']}&event=issued&status=sent").get_json()[0][
            "receipt_id"
        ]
        == world.receipts["1B"]["id"]
    )
    assert boss.get("/v1/me/notifications").status_code == 403
    assert caller(live, tenant, Role.RESIDENT, rosa["id"]).get("/v1/notifications").status_code == 403
    assert boss.get("/v1/notifications?event=presented").status_code == 422


def test_collection_return_and_payment_reach_the_owner_once_each_never_the_occupant(
    live: Running, fake: FakeOneSignal, tenant: str
) -> None:
    boss, world = world_on(live, tenant)
    live.drain()
    receipt, rosa, marc = world.receipts["1A"], world.residents["rosa"], world.residents["marc"]
    day = today()
    for move in (
        {"type": "presented", "on": day},
        {"type": "returned", "on": day, "reason": "AM04"},
        {"type": "represented", "on": day},
        {"type": "paid", "on": day},
    ):
        moved = boss.post(f"/v1/receipts/{receipt['id']}/events", move)
        assert moved.status_code == 201, moved.get_json()
        live.drain()  # days apart in life; pushes of moves made together may arrive in any order
    to_rosa = sent_to(fake, rosa["external_id"])
    assert [b["data"]["event"] for b in to_rosa] == [
        "issued", "sent_for_collection", "returned", "sent_for_collection", "paid",
    ]  # fmt: skip
    assert len(sent_to(fake, marc["external_id"])) == 1  # the issue only
    shown = f"{day[8:]}/{day[5:7]}/{day[:4]}"
    collection = to_rosa[1]["contents"]["es"]
    for fact in (
        f"540,00{NBSP}€",
        f"se presentó al cobro el {shown}",  # told by the management system: no debit date known here
        "M-1",
        "ES97000B12345678",
        f"ES74 **** **** **** **** {ROSA_IBAN[-4:]}",
    ):
        assert fact in collection
    assert to_rosa[1]["headings"]["es"] == f"Recibo al cobro: 540,00{NBSP}€"
    assert "no había saldo suficiente" in to_rosa[2]["contents"]["es"]
    assert "not enough money" in to_rosa[2]["contents"]["en"]
    assert "pagado" in to_rosa[4]["contents"]["es"]

    # Every event handed over again, every handler run again, the sweeper run: nothing more is sent.
    events = events_of(live.parts, tenant)
    clock = live.parts.clock
    assert not any(dispatched(live.parts, live.parts.outlets, clock, id) for id, _ in events)
    for _, payload in events:
        with live.parts.unit_of_work() as uow:
            assert (
                notify_residents(uow, live.parts.services, live.parts.outlets, ReceiptMoved(**payload))
                is None
            )
            uow.commit()
    with live.parts.unit_of_work() as uow:
        assert sweep_notifications(uow, clock, live.parts.outlets.queue, stale=_zero()) == []
    live.drain()
    assert len(fake.created) == 7
    assert len(boss.get("/v1/notifications?page_size=500").get_json()) == 7


def test_a_remittance_and_the_bank_s_return_reach_the_payer_once_each_with_the_debit_date(
    live: Running, fake: FakeOneSignal, tenant: str
) -> None:
    boss, world = world_on(live, tenant)
    assert boss.patch(f"/v1/communities/{world.community['id']}", {"iban": COMMUNITY_IBAN}).status_code == 200
    live.drain()
    day = collection_day()
    remittance = boss.post(f"/v1/communities/{world.community['id']}/remittances", {"collection_date": day})
    assert remittance.status_code == 201, remittance.get_json()
    live.drain()
    rosa = world.residents["rosa"]
    collected = sent_to(fake, rosa["external_id"])[-1]
    assert collected["data"]["event"] == "sent_for_collection"
    assert f"el {day[8:]}/{day[5:7]}/{day[:4]} por 540,00{NBSP}€" in collected["contents"]["es"]
    assert "Referencia del mandato: M-1" in collected["contents"]["es"]
    report = pain002(
        remittance.get_json()["message_id"], [Status(world.receipts["1A"]["number"], "RJCT", "MD06")]
    )
    for _ in range(2):  # the same file sent twice moves the receipt once
        assert boss.upload("/v1/bank-returns", report, "banco.xml").status_code in (200, 201)
        live.drain()
    kinds = [b["data"]["event"] for b in sent_to(fake, rosa["external_id"])]
    assert kinds == ["issued", "sent_for_collection", "returned"]
    returned = sent_to(fake, rosa["external_id"])[-1]["contents"]
    assert "usted pidió a su banco la devolución del cargo" in returned["es"]
    assert [b["data"]["event"] for b in sent_to(fake, world.residents["marc"]["external_id"])] == ["issued"]
    assert [b["data"]["event"] for b in sent_to(fake, world.residents["jordi"]["external_id"])] == ["issued"]


def test_a_correction_tells_corrected_once_never_issued_twice(
    live: Running, fake: FakeOneSignal, tenant: str
) -> None:
    boss, world = world_on(live, tenant)
    live.drain()
    first = world.receipts["1A"]["settlement_id"]
    again = publish_correction(live.parts, boss, world, first)
    live.drain()
    rosa = world.residents["rosa"]
    kinds = [b["data"]["event"] for b in sent_to(fake, rosa["external_id"])]
    assert kinds == ["issued", "corrected"]
    corrected = sent_to(fake, rosa["external_id"])[1]
    assert corrected["data"]["receipt_id"] == again["1A"]["id"]
    assert "corregido" in corrected["contents"]["es"]
    assert (
        boss.get(f"/v1/notifications?receipt_id={world.receipts['1A']['id']}&event=corrected").get_json()
        == []
    )


def publish_correction(parts: Components, boss: Caller, world: World, first: str) -> dict[str, Any]:
    """A draft of the same community, service and period made the correction of the published one (as a
    reprocessed file makes it), then published."""
    terms = {
        "community_id": world.community["id"],
        "service": "heating",
        "period": {"from": "2026-01-01", "to": "2026-03-31"},
        "consumption_share": "0.70",
        "costs": [{"concept": "Gas", "amount": "1100.00"}],
    }
    draft = boss.created("/v1/settlements", terms)
    with parts.unit_of_work() as uow:
        stored = uow.settlements.get(None, draft["id"])
        assert stored is not None
        uow.settlements.update(replace(stored, supersedes=first))
        uow.commit()
    assert boss.post(f"/v1/settlements/{draft['id']}/publish").status_code == 201
    receipts = sorted(
        boss.get(f"/v1/receipts?settlement_id={draft['id']}").get_json(), key=lambda r: r["number"]
    )
    return dict(zip(("1A", "1B", "Local"), receipts, strict=True))


def _zero() -> timedelta:
    return timedelta(0)


# Step by step, on a clock the test moves: what each answer does, with nothing sent twice.


@dataclass
class Shared:
    """One published world for the step-by-step tests of a database: each test adds a resident to 1A
    and tells her of its issue — a notification of her own to drive."""

    tenant: str
    boss: Caller
    world: World
    issued: ReceiptMoved


@pytest.fixture(scope="module")
def shared(direct: Running) -> Shared:
    tenant = new_tenant(direct.parts)
    boss, world = world_on(direct, tenant)
    asleep = replace(direct.parts.outlets, queue=RecordingQueue())
    for id, _ in events_of(direct.parts, tenant):
        dispatched(direct.parts, asleep, direct.parts.clock, id)  # its first residents' notifications
    (issued,) = (
        ReceiptMoved(**p)
        for _, p in events_of(direct.parts, tenant)
        if p["receipt_id"] == world.receipts["1A"]["id"]
    )
    return Shared(tenant, boss, world, issued)


def stepping(
    direct: Running, shared: Shared, **policy: Any
) -> tuple[Outlets, RecordingQueue, MovingClock, str]:
    """A notification of its own, queued with outlets that wake nobody: its id."""
    queue, clock = RecordingQueue(), MovingClock()
    outlets = replace(direct.parts.outlets, queue=queue, pace=NoPace(), retry=RetryPolicy(**policy))
    holder = {"unit_id": shared.world.units["1A"], "role": "owner", "since": "2020-01-01"}
    external = f"owner-{time.monotonic_ns()}"
    shared.boss.created("/v1/residents", {"name": "Nuria", "external_id": external, "units": [holder]})
    with direct.parts.unit_of_work() as uow:
        after = notify_residents(uow, direct.parts.services, outlets, shared.issued)
        uow.commit()
    assert after is not None
    after()
    ((id, delay),) = queue.notifications
    assert delay == 0
    return outlets, queue, clock, id


def send(direct: Running, clock: MovingClock, outlets: Outlets, id: str) -> Any:
    return send_notification(direct.parts.unit_of_work, clock, outlets, id)


def test_a_429_waits_for_its_retry_after_then_sends_once(
    direct: Running, fake: FakeOneSignal, shared: Shared
) -> None:
    outlets, queue, clock, id = stepping(direct, shared)
    fake.then(answers.throttled("7"))
    waiting = send(direct, clock, outlets, id)
    assert (waiting.status.value, waiting.failures) == ("queued", 0)
    assert queue.notifications[-1] == (id, 7.0)
    clock.advance(3)
    assert send(direct, clock, outlets, id) is None  # too early: sent again for its time
    assert queue.notifications[-1] == (id, 4.0)
    clock.advance(4)
    assert send(direct, clock, outlets, id).status.value == "sent"
    assert len(fake.requests) == 2
    assert fake.requests[0].key == fake.requests[1].key
    assert fake.created_for(waiting.receipt_id, waiting.event_id, waiting.external_id) == 1


@pytest.mark.parametrize(
    "failures",
    [[answers.status(500)], [answers.html(502), answers.status(503), answers.not_json()]],
    ids=["5xx", "mixed"],
)
def test_server_errors_and_broken_answers_are_retried_under_the_same_key(
    direct: Running, fake: FakeOneSignal, shared: Shared, failures: list[answers.Reply]
) -> None:
    outlets, queue, clock, id = stepping(direct, shared, backoff=5)
    fake.then(*failures)
    waits = []
    for _ in failures:
        after = send(direct, clock, outlets, id)
        assert after.status.value == "queued"
        waits.append(queue.notifications[-1][1])
        clock.advance(waits[-1])
    done = send(direct, clock, outlets, id)
    assert (done.status.value, done.failures, done.attempts) == ("sent", len(failures), len(failures) + 1)
    assert waits == [5.0, 10.0, 20.0][: len(failures)]
    assert {r.key for r in fake.requests} == {done.idempotency_key}
    assert len(fake.created) == 1


def test_a_lost_answer_is_asked_again_and_onesignal_sends_once(
    direct: Running, fake: FakeOneSignal, shared: Shared
) -> None:
    outlets, queue, clock, id = stepping(direct, shared)
    fake.then(answers.hang())  # OneSignal makes the notification; its answer never comes back in time
    timed_out = send(direct, clock, outlets, id)
    assert timed_out.status.value == "queued"
    assert timed_out.reason.startswith("no answer from OneSignal")
    fake.release()
    clock.advance(queue.notifications[-1][1])
    done = send(direct, clock, outlets, id)
    assert done.status.value == "sent"
    assert done.provider_id == fake.by_key[done.idempotency_key]
    assert len(fake.requests) == 2
    assert len(fake.created) == 1


ENGLISH_MISSING = "Message Notifications must have English language content"


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        (answers.no_recipients(), "not_delivered", "not delivered: All included players are not subscribed"),
        (
            answers.invalid_alias(),
            "not_delivered",
            'not delivered: {"invalid_aliases":{"external_id":["?"]}}',
        ),
        (answers.refused(400), "failed", f"OneSignal refused the request (HTTP 400): {ENGLISH_MISSING}"),
    ],
)
def test_what_cannot_succeed_ends_at_once_and_is_never_retried(
    direct: Running, fake: FakeOneSignal, shared: Shared, answer: answers.Reply, status: str, reason: str
) -> None:
    outlets, queue, clock, id = stepping(direct, shared)
    fake.then(answer)
    ended = send(direct, clock, outlets, id)
    assert (ended.status.value, ended.reason) == (status, reason)
    clock.advance(3600)
    assert send(direct, clock, outlets, id) is None
    assert queue.notifications == [(n, 0) for n, _ in queue.notifications]  # no retry was queued
    assert len(fake.requests) == 1


def test_what_onesignal_echoes_of_the_key_is_neither_kept_nor_shown(
    direct: Running, fake: FakeOneSignal, shared: Shared
) -> None:
    outlets, _queue, clock, id = stepping(direct, shared)
    fake.then(answers.echoing(400))
    ended = send(direct, clock, outlets, id)
    assert ended.status.value == "failed"
    assert fake.requests[0].headers["authorization"] == f"Key {API_KEY}"  # what it echoed
    (shown,) = [n for n in shared.boss.get("/v1/notifications").get_json() if n["id"] == id]
    for reason in (ended.reason, shown["reason"]):
        assert API_KEY not in reason
        assert "authorization: Key os_v2_app_***" in reason
        assert reason.startswith("OneSignal refused the request (HTTP 400): Bad request ")
        assert reason.isprintable()


# What an earlier version kept as it came: OneSignal's echo of the key, an IBAN, a control character.
KEPT_RAW = (
    f"OneSignal refused the request (HTTP 400): authorization: Key {API_KEY}\x1b[2J for es91 2100 0418 "
    "4502 0005 1332"
)


def test_a_reason_an_earlier_version_kept_unredacted_is_shown_redacted(
    direct: Running, fake: FakeOneSignal, shared: Shared
) -> None:
    outlets, _queue, clock, id = stepping(direct, shared)
    fake.then(answers.echoing(400))
    send(direct, clock, outlets, id)
    with direct.parts.engine.begin() as connection:
        connection.execute(
            update(tables.notifications).where(tables.notifications.c.id == id).values(reason=KEPT_RAW)
        )
    (shown,) = [n for n in shared.boss.get("/v1/notifications").get_json() if n["id"] == id]
    assert shown["reason"] == (
        "OneSignal refused the request (HTTP 400): authorization: Key os_v2_app_*** [2J for "
        "ES91 **** **** **** **** 1332"
    )


def test_errors_without_end_fail_after_the_limit(
    direct: Running, fake: FakeOneSignal, shared: Shared
) -> None:
    outlets, _queue, clock, id = stepping(direct, shared, max_failures=3, backoff=1)
    fake.then(*[answers.status(500)] * 3)
    for _ in range(3):
        after = send(direct, clock, outlets, id)
        clock.advance(60)
    assert after.status.value == "failed"
    assert (
        after.reason
        == "gave up after 3 failed tries; the last: OneSignal answered HTTP 500: Internal error 500"
    )


def test_requeued_by_support_it_keeps_its_key_and_onesignal_sends_it_once(
    direct: Running, fake: FakeOneSignal, shared: Shared
) -> None:
    outlets, queue, clock, id = stepping(direct, shared, max_failures=1)
    fake.then(answers.made_then(500))  # OneSignal made it, then failed to say so: given up here
    gave_up = send(direct, clock, outlets, id)
    assert gave_up.status.value == "failed"
    support = caller(direct, shared.tenant, Role.SUPPORT)
    assert shared.boss.post(f"/v1/admin/notifications/{id}/requeue").status_code == 403
    requeued = support.post(f"/v1/admin/notifications/{id}/requeue")
    assert requeued.status_code == 202, requeued.get_json()
    assert requeued.get_json()["status"] == "queued"
    assert queue.notifications[-1] == (id, 0.0)
    on_its_way = support.post(f"/v1/admin/notifications/{id}/requeue").get_json()["errors"][0]
    assert on_its_way["code"] == "not_requeuable"
    again = send(direct, clock, outlets, id)
    assert (again.status.value, again.idempotency_key) == ("sent", gave_up.idempotency_key)
    assert again.provider_id == fake.by_key[again.idempotency_key]
    assert (again.generation, again.attempts) == (1, 1)
    assert len(fake.requests) == 2
    assert len(fake.created) == 1
    sent = support.post(f"/v1/admin/notifications/{id}/requeue")
    assert (sent.status_code, sent.get_json()["errors"][0]["code"]) == (409, "not_requeuable")
    assert support.post("/v1/admin/notifications/nope/requeue").status_code == 404


def test_workers_racing_for_one_notification_send_it_once(
    direct: Running, fake: FakeOneSignal, shared: Shared
) -> None:
    outlets, _queue, clock, id = stepping(direct, shared)
    results: list[Any] = []
    racers = [
        threading.Thread(target=lambda: results.append(send(direct, clock, outlets, id))) for _ in range(4)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert [r.status.value for r in results if r is not None] == ["sent"]
    assert len(fake.requests) == 1


def test_without_onesignal_notifications_are_recorded_only_and_still_visible(
    app: Flask, components: Components, manager: Caller, tenant: str, drain: Any
) -> None:
    assert components.outlets.notifier is None
    community = manager.created("/v1/communities", {"code": "C0099", "name": "CP Sin Push"})
    world = published_world(manager, community)
    drain()
    listed = manager.get(f"/v1/notifications?receipt_id={world.receipts['1A']['id']}").get_json()
    assert {n["status"] for n in listed} == {"recorded_only"}
    assert len(listed) == 2
    assert f"540,00{NBSP}€" in next(n["content"] for n in listed if n["language"] == "es")
    support = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    refused = support.post(f"/v1/admin/notifications/{listed[0]['id']}/requeue")
    assert (refused.status_code, refused.get_json()["errors"][0]["code"]) == (
        409,
        "notifications_not_configured",
    )


def test_the_pace_is_shared_by_every_process_and_never_exceeds_the_limit(components: Components) -> None:
    clock = MovingClock()
    name = f"test-{time.monotonic_ns()}"
    paces = [SqlaPace(components.engine, name, 50, clock) for _ in range(2)]  # two processes, one pace
    slots = []
    for n in range(120):
        slots.append(paces[n % 2].take().slot)
        clock.advance(0.001)  # 1,000 requests a second asked for
    assert most_in_a_second(slots) <= 50
    assert [b - a for a, b in itertools.pairwise(slots)] == [step_micros(50)] * 119


def test_the_payload_on_the_wire_is_onesignal_s_current_api_whatever_the_sdk_defaults(
    fake: FakeOneSignal,
) -> None:
    notifier = OneSignalNotifier(APP_ID, API_KEY, fake.root + "/")
    push = Push(
        "res-7", "5d1f0a0e-6c55-5c2f-9a3b-1c2d3e4f5a6b", {"en": "Hi"}, {"en": "Hello"}, {"receipt_id": "r"}
    )
    answer = notifier.send(push)
    assert answer.status == 200
    (request,) = fake.requests
    assert request.headers["authorization"] == f"Key {API_KEY}"
    assert request.body == {
        "app_id": APP_ID,
        "target_channel": "push",
        "include_aliases": {"external_id": ["res-7"]},
        "idempotency_key": "5d1f0a0e-6c55-5c2f-9a3b-1c2d3e4f5a6b",
        "headings": {"en": "Hi"},
        "contents": {"en": "Hello"},
        "data": {"receipt_id": "r"},
    }
    fake.then(answers.html(502))
    broken = notifier.send(push)  # the SDK would raise JSONDecodeError here
    assert (broken.status, broken.body) == (502, None)
    assert "Bad Gateway" in broken.text
    closed = OneSignalNotifier(APP_ID, API_KEY, "http://127.0.0.1:9", timeout=1).send(push)
    assert closed.status is None
    assert closed.error


def test_pushes_made_at_once_leave_at_the_rate_limit(
    database_url: str, tmp_path: Path, fake: FakeOneSignal, tenant: str, components: Components
) -> None:
    env = onesignal_env(fake.root, APP_ID, API_KEY)
    pace = TimedPace(SqlaPace(components.engine, f"test-{time.monotonic_ns()}", 40, components.clock))
    with running(database_url, tmp_path, workers=True, env=env, pace=pace) as slow:
        boss, world = world_on(slow, tenant)
        for unit in ("1A", "1B"):  # 3 issued, 2 sent for collection: 5 pushes at once, 4 workers
            presented = {"type": "presented", "on": today()}
            assert (
                boss.post(f"/v1/receipts/{world.receipts[unit]['id']}/events", presented).status_code == 201
            )
        slow.drain()
    assert len(fake.requests) == 5
    slots = sorted(pace.slots)
    assert len(slots) == 5
    # never closer than one step (36 a second: under 40); wider when a worker came late on a busy machine
    assert min(b - a for a, b in itertools.pairwise(slots)) >= step_micros(40)
