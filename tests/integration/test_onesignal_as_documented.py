"""Notifications against a second OneSignal stand-in (tests/onesignal_as_documented.py), written from
OneSignal's documentation apart from the first one: the answers it documents, and the weather on the
way — throttling, proxies' HTML pages, resets, slow and garbled answers — through the real flow
(publish, remittance, bank return) and step by step. Each (receipt, event, resident) is accepted once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from prorata.adapters.onesignal import OneSignalNotifier
from prorata.adapters.sql.pace import NoPace
from prorata.application.notifications import notify_residents
from prorata.application.outlets import Outlets
from prorata.application.pushes import send_notification
from prorata.domain.access.principal import Role
from prorata.domain.events import ReceiptMoved
from prorata.domain.notifications.model import Push
from prorata.domain.notifications.outcomes import RetryPolicy
from tests import onesignal_as_documented as weather
from tests.api_client import Caller, key_for, new_tenant
from tests.bank_files import Entry, Tx, camt054
from tests.integration.notification_world import (
    MovingClock,
    RecordingQueue,
    Running,
    World,
    dispatched,
    events_of,
    onesignal_env,
    running,
)
from tests.integration.published import publish
from tests.integration.test_api_settlement_flow import build_community
from tests.integration.test_notifications import publish_correction
from tests.integration.test_remittances import (
    COMMUNITY_IBAN,
    CREDITOR_ID,
    JORDI_IBAN,
    ROSA_IBAN,
    collection_day,
)
from tests.onesignal_as_documented import (
    APP_ID,
    APP_KEY,
    LEGACY_KEY,
    DocumentedOneSignal,
    documented_onesignal,
)

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def stand_in() -> Iterator[DocumentedOneSignal]:
    with documented_onesignal(keys=(APP_KEY, LEGACY_KEY)) as server:
        yield server


@pytest.fixture(autouse=True)
def clean(stand_in: DocumentedOneSignal) -> None:
    stand_in.reset_state()


def push_to(external_id: str) -> Push:
    return Push(external_id, str(uuid.uuid4()), {"en": "Receipt"}, {"en": "A receipt"}, {"receipt_id": "r"})


@pytest.mark.parametrize("key", [APP_KEY, LEGACY_KEY], ids=["app key", "legacy key"])
def test_an_app_key_and_a_legacy_key_are_each_sent_the_way_onesignal_documents(
    stand_in: DocumentedOneSignal, key: str
) -> None:
    stand_in.subscribe("res-1")
    notifier = OneSignalNotifier(APP_ID, key, stand_in.root)
    answer = notifier.send(push_to("res-1"))
    notifier.close()
    assert answer.status == 200, answer.text
    assert len(stand_in.accepted) == 1


# Step by step, on a clock the test moves: what each of OneSignal's answers makes of a notification.


@pytest.fixture(scope="module")
def direct(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, stand_in: DocumentedOneSignal
) -> Iterator[Running]:
    env = onesignal_env(stand_in.root, APP_ID, APP_KEY, PRORATA_ONESIGNAL_TIMEOUT_SECONDS="0.3")
    with running(database_url, tmp_path_factory.mktemp("documented"), workers=False, env=env) as parts:
        yield parts


@dataclass
class Issued:
    """A published receipt of 1A and its `issued` move: each test adds a resident to 1A and tells her."""

    tenant: str
    boss: Caller
    unit_id: str
    event: ReceiptMoved


@pytest.fixture(scope="module")
def issued(direct: Running) -> Issued:
    tenant = new_tenant(direct.parts)
    boss = Caller(direct.app.test_client(), key_for(direct.parts, Role.MANAGER, tenant))
    community = boss.created("/v1/communities", {"code": "C0031", "name": "CP Rambla 31"})
    units = build_community(boss, community)
    receipts = publish(boss, community["id"])
    (event,) = (
        ReceiptMoved(**p) for _, p in events_of(direct.parts, tenant) if p["receipt_id"] == receipts[0]["id"]
    )
    return Issued(tenant, boss, units["1A"], event)


def one_notification(
    direct: Running, issued: Issued, **policy: Any
) -> tuple[Outlets, RecordingQueue, str, str]:
    """A new holder of 1A told of its issue, with outlets that wake nobody: (outlets, queue, id, her
    external id)."""
    queue = RecordingQueue()
    outlets = replace(direct.parts.outlets, queue=queue, pace=NoPace(), retry=RetryPolicy(**policy))
    external = f"owner-{uuid.uuid4()}"
    holder = {"unit_id": issued.unit_id, "role": "owner", "since": "2020-01-01"}
    issued.boss.created("/v1/residents", {"name": "Núria", "external_id": external, "units": [holder]})
    with direct.parts.unit_of_work() as uow:
        after = notify_residents(uow, direct.parts.services, outlets, issued.event)
        uow.commit()
    assert after is not None
    after()
    ((id, _),) = queue.notifications
    return outlets, queue, id, external


def send(direct: Running, clock: MovingClock, outlets: Outlets, id: str) -> Any:
    return send_notification(direct.parts.unit_of_work, clock, outlets, id)


ENDED = [
    ("accepted", None, "sent", None),
    ("accepted with warnings", weather.warned(), "sent", None),
    ("no subscribed device", "unsubscribed", "not_delivered", weather.NOT_SUBSCRIBED),
    ("unknown external id", "unknown", "not_delivered", "invalid_aliases"),
    ("400", weather.refused(400, "Notification contents for each language must be a string"), "failed",
     "OneSignal refused the request (HTTP 400): Notification contents for each language must be a string"),
    ("401", weather.refused(401, "Access denied."), "failed", "HTTP 401"),
    ("403", weather.refused(403, "This API key is not allowed from this address"), "failed", "HTTP 403"),
    ("409", weather.refused(409, "Conflict"), "failed", "HTTP 409"),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "status", "reason"), [e[1:] for e in ENDED], ids=[e[0] for e in ENDED])
def test_an_answer_that_ends_a_notification_ends_it_at_once_and_it_is_never_asked_again(
    direct: Running,
    stand_in: DocumentedOneSignal,
    issued: Issued,
    answer: Any,
    status: str,
    reason: str | None,
) -> None:
    outlets, queue, id, external = one_notification(direct, issued)
    if answer == "unsubscribed":
        stand_in.unsubscribe(external)
    elif answer != "unknown":
        stand_in.subscribe(external)
    if isinstance(answer, weather.Fault):
        stand_in.then(answer)
    clock = MovingClock()
    ended = send(direct, clock, outlets, id)
    assert ended.status.value == status
    if reason is None:
        assert ended.reason is None
        (made,) = stand_in.accepted
        assert ended.provider_id == made.id
    else:
        assert reason in ended.reason
    clock.advance(3600)
    assert send(direct, clock, outlets, id) is None
    assert len(queue.notifications) == 1  # no retry was queued
    assert len(stand_in.requests_for(external)) == 1
    shown = issued.boss.get(f"/v1/notifications?resident_id={ended.resident_id}").get_json()
    assert [(n["status"], n["reason"]) for n in shown] == [(status, ended.reason)]


RETRIED = [
    ("429 Retry-After seconds", weather.throttled("3"), 3.0, 3.0, 0),
    ("429 Retry-After HTTP date", weather.throttled_until(6), 4.0, 6.0, 0),
    ("500", weather.server_error(500), 5.0, 5.0, 1),
    ("502 HTML page", weather.html(502), 5.0, 5.0, 1),
    ("503 HTML page", weather.html(503), 5.0, 5.0, 1),
    ("503 empty", weather.empty(503), 5.0, 5.0, 1),
    ("connection reset", weather.reset(), 5.0, 5.0, 1),
    ("made, then connection reset", weather.made_then_reset(), 5.0, 5.0, 1),
    ("made, answer too slow", weather.slow(1.0), 5.0, 5.0, 1),
    ("made, 200 not JSON", weather.garbled(), 5.0, 5.0, 1),
]


@pytest.mark.parametrize(
    ("fault", "least", "most", "failures"), [r[1:] for r in RETRIED], ids=[r[0] for r in RETRIED]
)
def test_an_answer_worth_retrying_is_asked_again_later_under_the_same_key_and_accepted_once(
    direct: Running,
    stand_in: DocumentedOneSignal,
    issued: Issued,
    fault: weather.Fault,
    least: float,
    most: float,
    failures: int,
) -> None:
    outlets, queue, id, external = one_notification(direct, issued, backoff=5)
    stand_in.subscribe(external)
    stand_in.then(fault)
    clock = MovingClock()
    waiting = send(direct, clock, outlets, id)
    assert (waiting.status.value, waiting.failures) == ("queued", failures)
    (_, wait) = queue.notifications[-1]
    assert least <= wait <= most
    clock.advance(wait)
    done = send(direct, clock, outlets, id)
    assert done.status.value == "sent"
    (made,) = stand_in.accepted
    assert done.provider_id == made.id
    asked = stand_in.requests_for(external)
    assert len(asked) == 2
    assert {r.key for r in asked} == {done.idempotency_key}


def test_support_s_requeue_keeps_the_key_and_onesignal_accepts_the_push_once(
    direct: Running, stand_in: DocumentedOneSignal, issued: Issued
) -> None:
    outlets, _queue, id, external = one_notification(direct, issued, max_failures=1)
    stand_in.subscribe(external)
    stand_in.then(weather.made_then_reset())  # made; the answer lost; given up here at once
    clock = MovingClock()
    assert send(direct, clock, outlets, id).status.value == "failed"
    support = Caller(direct.app.test_client(), key_for(direct.parts, Role.SUPPORT))
    assert support.post(f"/v1/admin/notifications/{id}/requeue").status_code == 202
    again = send(direct, clock, outlets, id)
    assert again.status.value == "sent"
    (made,) = stand_in.accepted
    assert again.provider_id == made.id
    assert len({r.key for r in stand_in.requests_for(external)}) == 1

    # One that reached no device is sent again once she has subscribed, still under its key.
    outlets, _queue, id, external = one_notification(direct, issued)
    stand_in.unsubscribe(external)
    assert send(direct, clock, outlets, id).status.value == "not_delivered"
    stand_in.subscribe(external)
    assert support.post(f"/v1/admin/notifications/{id}/requeue").status_code == 202
    assert send(direct, clock, outlets, id).status.value == "sent"
    assert len(stand_in.accepted) == 2
    assert len({r.key for r in stand_in.requests_for(external)}) == 1


# The real flow, with workers: publish, remittance, bank return — whatever the weather on the way.


@pytest.fixture(scope="module")
def live(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, stand_in: DocumentedOneSignal
) -> Iterator[Running]:
    env = onesignal_env(
        stand_in.root,
        APP_ID,
        APP_KEY,
        PRORATA_ONESIGNAL_TIMEOUT_SECONDS="0.4",
        PRORATA_ONESIGNAL_MAX_RPS="1000",
    )
    with running(database_url, tmp_path_factory.mktemp("documented-live"), workers=True, env=env) as parts:
        yield parts


@dataclass
class Building:
    tenant: str
    boss: Caller
    community: dict[str, Any]
    residents: dict[str, dict[str, Any]]
    receipts: dict[str, dict[str, Any]]


def building(on: Running, stand_in: DocumentedOneSignal, code: str) -> Building:
    """1A: Rosa (es) owns it, Marc (ca) lives there, Ana (es) lived there until 2025; 1B: Jordi (en) owns
    it, Claire (fr) lives there; Local: Luis sold it to Bar Pepe (no push address) before the period.
    Rosa and Jordi pay by direct debit. Published: the heating of 2026's first quarter."""
    tenant = new_tenant(on.parts)
    boss = Caller(on.app.test_client(), key_for(on.parts, Role.MANAGER, tenant))
    community = boss.created("/v1/communities", {"code": code, "name": "CP Rambla 21"})
    units = build_community(boss, community)
    assert (
        boss.patch(
            f"/v1/communities/{community['id']}", {"iban": COMMUNITY_IBAN, "creditor_id": CREDITOR_ID}
        ).status_code
        == 200
    )
    tag = community["id"][:8]

    def holds(unit: str, role: str, since: str, until: str | None = None) -> list[dict[str, Any]]:
        return [{"unit_id": units[unit], "role": role, "since": since, "until": until}]

    people: dict[str, dict[str, Any]] = {
        "rosa": {"language": "es", "iban": ROSA_IBAN, "mandate_id": "M-1",
                 "units": holds("1A", "owner", "2020-01-01")},
        "marc": {"language": "ca", "units": holds("1A", "occupant", "2025-09-01")},
        "ana": {"language": "es", "units": holds("1A", "occupant", "2019-01-01", "2025-08-31")},
        "jordi": {"language": "en", "iban": JORDI_IBAN, "mandate_id": "M-2",
                  "units": holds("1B", "owner", "2020-01-01")},
        "claire": {"language": "fr", "units": holds("1B", "occupant", "2024-01-01")},
        "luis": {"language": "es", "units": holds("Local", "owner", "2015-01-01")},
        "pepe": {"language": "es", "external_id": None, "units": holds("Local", "owner", "2025-11-01")},
    }  # fmt: skip
    residents = {}
    for name, body in people.items():
        mandate = {"mandate_signed_on": "2024-05-01"} if "mandate_id" in body else {}
        residents[name] = boss.created(
            "/v1/residents", {"name": name.title(), "external_id": f"{name}-{tag}", **mandate, **body}
        )
        if residents[name]["external_id"]:
            stand_in.subscribe(residents[name]["external_id"])
    receipts = dict(zip(("1A", "1B", "Local"), publish(boss, community["id"]), strict=True))
    return Building(tenant, boss, community, residents, receipts)


def test_each_step_reaches_each_affected_resident_once_in_their_language_whatever_the_weather(
    live: Running, stand_in: DocumentedOneSignal
) -> None:
    stand_in.first_attempts(*weather.WEATHER, weather.slow(1.0), weather.throttled_until(1))
    started = time.monotonic()
    house = building(live, stand_in, "C0021")
    live.drain()
    boss, people, receipts = house.boss, house.residents, house.receipts
    remittance = boss.post(
        f"/v1/communities/{house.community['id']}/remittances", {"collection_date": collection_day()}
    )
    assert remittance.status_code == 201, remittance.get_json()
    live.drain()
    debited = remittance.get_json()
    rosa, jordi = receipts["1A"]["number"], receipts["1B"]["number"]
    bank = camt054(
        "02",
        [
            Entry("540.00", transactions=[Tx(rosa, "540.00", message_id=debited["message_id"])]),
            Entry("385.00", credit=False, transactions=[Tx(jordi, "385.00", "MS02")]),
        ],
        message=f"BANK-{house.community['id'][:8]}",
    )
    for _ in range(2):  # the bank's file sent twice moves each receipt once
        assert boss.upload("/v1/bank-returns", bank, "camt054.xml").status_code in (200, 201)
        live.drain()
    print(f"flow took {time.monotonic() - started:.2f} s")

    told = {
        "rosa": ("1A", ["issued", "sent_for_collection", "paid"]),
        "marc": ("1A", ["issued"]),
        "jordi": ("1B", ["issued", "sent_for_collection", "returned"]),
        "claire": ("1B", ["issued"]),
    }
    for name, (unit, events) in told.items():
        external = people[name]["external_id"]
        assert [a.event for a in stand_in.accepted if a.external_id == external] == events, name
        for event in events:
            assert stand_in.accepted_for(receipts[unit]["id"], event, external) == 1, (name, event)
    assert len(stand_in.accepted) == 8
    for name in ("ana", "luis"):  # no longer holders: never asked for
        assert stand_in.requests_for(people[name]["external_id"]) == []

    # Every retry of a push carried its first key, a UUID; every request was the documented one.
    keys: dict[tuple[str, str, str], set[str]] = {}
    for seen in stand_in.seen:
        body = seen.body
        assert (seen.method, seen.path) == ("POST", "/notifications")
        assert seen.headers["authorization"] == f"Key {APP_KEY}"
        assert seen.headers["content-type"] == "application/json"
        assert set(body) == {
            "app_id", "target_channel", "include_aliases", "idempotency_key", "headings", "contents", "data",
        }  # fmt: skip
        assert (body["app_id"], body["target_channel"]) == (APP_ID, "push")
        assert uuid.UUID(body["idempotency_key"])
        assert "en" in body["headings"]
        assert "en" in body["contents"]
        target = (
            body["data"]["receipt_id"],
            body["data"]["event"],
            body["include_aliases"]["external_id"][0],
        )
        keys.setdefault(target, set()).add(body["idempotency_key"])
    assert len(keys) == 8
    assert all(len(k) == 1 for k in keys.values())
    assert len(stand_in.seen) > 8  # the weather made some ask again

    # In their language, with the amount and the dates written as that language writes them.
    def to(name: str, event: str) -> dict[str, Any]:
        (found,) = (
            a.body
            for a in stand_in.accepted
            if a.external_id == people[name]["external_id"] and a.event == event
        )
        return found

    due = receipts["1A"]["due_on"]
    for name, language, amount in (
        ("rosa", "es", f"540,00{NBSP}€"), ("marc", "ca", f"540,00{NBSP}€"),
        ("jordi", "en", "€385.00"), ("claire", "fr", f"385,00{NBSP}€"),
    ):  # fmt: skip
        issue = to(name, "issued")
        assert next(iter(issue["contents"])) == language == next(iter(issue["headings"]))
        assert amount in issue["contents"][language]
        assert issue["data"]["receipt_id"] == receipts["1A" if name in ("rosa", "marc") else "1B"]["id"]
    assert f"{due[8:]}/{due[5:7]}/{due[:4]}" in to("rosa", "issued")["contents"]["es"]
    day = debited["collection_date"]
    collection = to("rosa", "sent_for_collection")["contents"]["es"]
    for fact in (f"{day[8:]}/{day[5:7]}/{day[:4]}", f"540,00{NBSP}€", "M-1", CREDITOR_ID):
        assert fact in collection
    assert "€385.00" in to("jordi", "returned")["contents"]["en"]

    # What OneSignal made is what prorata shows; nobody without a push address or a holding has a row.
    listed = boss.get("/v1/notifications?page_size=100").get_json()
    assert len(listed) == 8
    by_key = {a.body["idempotency_key"]: a.id for a in stand_in.accepted}
    assert {(n["status"], n["onesignal_id"]) for n in listed} == {("sent", id) for id in by_key.values()}
    for name in ("ana", "luis", "pepe"):
        assert boss.get(f"/v1/notifications?resident_id={people[name]['id']}").get_json() == []

    # Every event handed over again: nothing more is asked for.
    asked = len(stand_in.seen)
    for id, _ in events_of(live.parts, house.tenant):
        dispatched(live.parts, live.parts.outlets, live.parts.clock, id)
    live.drain()
    assert len(stand_in.seen) == asked


def test_a_correction_is_told_as_corrected_to_each_holder_once_never_as_a_second_issue(
    live: Running, stand_in: DocumentedOneSignal
) -> None:
    house = building(live, stand_in, "C0022")
    live.drain()
    first = house.receipts["1A"]["settlement_id"]
    stand_in.first_attempts(weather.made_then_reset(), weather.html(502))
    again = publish_correction(live.parts, house.boss, World(house.community, {}, {}), first)
    live.drain()
    for name, unit in (("rosa", "1A"), ("marc", "1A"), ("jordi", "1B"), ("claire", "1B")):
        external = house.residents[name]["external_id"]
        made = [
            (a.event, a.body["data"]["receipt_id"]) for a in stand_in.accepted if a.external_id == external
        ]
        assert made == [("issued", house.receipts[unit]["id"]), ("corrected", again[unit]["id"])], name
    assert "corregido" in next(a for a in stand_in.accepted if a.event == "corrected").body["contents"]["es"]
    corrected = house.boss.get("/v1/notifications?event=corrected").get_json()
    assert sorted(n["receipt_id"] for n in corrected) == sorted(
        [again["1A"]["id"]] * 2 + [again["1B"]["id"]] * 2
    )
    assert house.boss.get(f"/v1/notifications?receipt_id={again['1A']['id']}&event=issued").get_json() == []


class _DueDuringTheClaim(MovingClock):
    """Reads a millisecond before the retry's time at the claim, and a millisecond after from then on."""

    def __init__(self, due: datetime) -> None:
        super().__init__(due - timedelta(milliseconds=1))
        self.later = due + timedelta(milliseconds=1)

    def now(self) -> datetime:
        at, self.at = self.at, self.later
        return at


def test_a_retry_that_falls_due_while_its_message_is_claimed_is_sent_again_not_left_to_the_sweeper(
    direct: Running, stand_in: DocumentedOneSignal, issued: Issued
) -> None:
    outlets, queue, id, external = one_notification(direct, issued)
    stand_in.subscribe(external)
    stand_in.then(weather.throttled("3"))
    waiting = send(direct, MovingClock(), outlets, id)
    assert waiting.status.value == "queued"
    assert waiting.not_before is not None
    queue.notifications.clear()
    # Its message comes back a hair early: too early to claim, and due by the time that is known.
    assert send(direct, _DueDuringTheClaim(waiting.not_before), outlets, id) is None
    assert [sent for sent, _ in queue.notifications] == [id]  # sent again, due now
