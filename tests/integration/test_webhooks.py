"""Webhooks: a management system registers a URL and is told of events by signed JSON posts — retried
when its server fails, never sent to this machine or a private network unless allowed."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from prorata.adapters.sql import tables
from prorata.adapters.webhooks import HttpxWebhookSender
from prorata.application.webhooks import deliver, register_webhook
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from prorata.domain.webhooks.signature import verify
from tests.api_client import Caller, key_for, new_tenant
from tests.integration.notification_world import (
    MovingClock,
    RecordingQueue,
    Running,
    dispatched,
    events_of,
    published_world,
    running,
)

PUBLIC_URL = "https://hooks.example.org/prorata"
ALL = ["receipt.issued", "receipt.sent_for_collection", "receipt.paid", "receipt.returned", "import.ended"]


class Receiver:
    """A management system's endpoint on loopback: records each post, answers with the scripted statuses
    (then 200) — or, given `echo`, a broken answer that says back the delivery's signature and `echo`."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.paths: list[str] = []
        self.statuses: deque[int] = deque()
        self.echo: str | None = None
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.paths.append(self.path)
                    code = receiver.statuses.popleft() if receiver.statuses else 200
                if receiver.echo is not None:  # a header line without its colon: not HTTP
                    said = f"Prorata-Signature {self.headers['Prorata-Signature']} {receiver.echo}\x1b"
                    self.wfile.write(f"HTTP/1.1 200 OK\r\n{said}\r\n\r\n".encode())
                    return
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/prorata/events"

    def to(self, path: str) -> list[bytes]:
        """The bodies posted to a path of the receiver (each test's webhook has one)."""
        return [body for at, (_, body) in zip(self.paths, self.posts, strict=True) if at.endswith(path)]

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.posts]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(autouse=True)
def fresh(receiver: Receiver) -> None:
    receiver.posts.clear()
    receiver.paths.clear()
    receiver.statuses.clear()
    receiver.echo = None


@pytest.fixture(scope="module")
def local(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The all-in-one's setting: local addresses allowed (the receiver is on loopback)."""
    env = {"PRORATA_WEBHOOKS_ALLOW_PRIVATE": "true", "PRORATA_WEBHOOK_BACKOFF_SECONDS": "0"}
    with running(database_url, tmp_path_factory.mktemp("hooks"), workers=True, env=env) as parts:
        yield parts


def boss_of(on: Running, tenant: str) -> Caller:
    return Caller(on.app.test_client(), key_for(on.parts, Role.MANAGER, tenant))


def registered(boss: Caller, url: str, events: list[str] = ALL) -> dict[str, Any]:
    return boss.created("/v1/webhooks", {"url": url, "events": events})


def test_deliveries_are_signed_with_the_secret_shown_once(
    local: Running, receiver: Receiver, tenant: str
) -> None:
    boss = boss_of(local, tenant)
    hook = registered(boss, receiver.url)
    assert hook["secret"].startswith("whsec_")
    assert "secret" not in boss.get(f"/v1/webhooks/{hook['id']}").get_json()
    assert [h["id"] for h in boss.get("/v1/webhooks").get_json()] == [hook["id"]]
    community = boss.created("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
    world = published_world(boss, community)
    local.drain()

    assert sorted(b["data"]["receipt_id"] for b in receiver.bodies()) == sorted(
        r["id"] for r in world.receipts.values()
    )
    for headers, raw in receiver.posts:
        body = json.loads(raw)
        assert verify(headers["prorata-signature"], hook["secret"], raw, int(time.time()))
        stamp, signed = (part.split("=", 1)[1] for part in headers["prorata-signature"].split(","))
        expected = hmac.new(hook["secret"].encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
        assert signed == expected
        assert headers["prorata-event-id"] == body["id"]
        assert headers["content-type"] == "application/json"
        assert body["type"] == "receipt.issued"
        assert set(body) == {"id", "type", "created_at", "data"}
    one = next(b for b in receiver.bodies() if b["data"]["receipt_id"] == world.receipts["1A"]["id"])
    assert (one["data"]["total"], one["data"]["currency"], one["data"]["status"]) == (
        "540.00",
        "EUR",
        "issued",
    )
    assert len({b["id"] for b in receiver.bodies()}) == 3

    deliveries = boss.get(f"/v1/webhooks/{hook['id']}/deliveries").get_json()
    assert {(d["type"], d["status"], d["attempts"], d["last_status"]) for d in deliveries} == {
        ("receipt.issued", "delivered", 1, 200)
    }
    # The same events handed over again: no second delivery.
    for id, _ in events_of(local.parts, tenant):
        dispatched(local.parts, local.parts.outlets, local.parts.clock, id)
    local.drain()
    assert len(receiver.posts) == 3


@pytest.fixture(scope="module")
def moving(local: Running) -> tuple[Caller, dict[str, Any]]:
    """A tenant's published receipts (by unit code), to move while webhooks listen."""
    boss = boss_of(local, new_tenant(local.parts))
    world = published_world(boss, boss.created("/v1/communities", {"code": "C0013", "name": "CP Mayor 13"}))
    local.drain()
    return boss, world.receipts


def test_a_failing_endpoint_is_retried_until_it_answers(
    local: Running, receiver: Receiver, moving: tuple[Caller, dict[str, Any]]
) -> None:
    boss, receipts = moving
    hook = registered(boss, receiver.url + "/failing", ["receipt.paid"])
    receiver.statuses.extend([500, 503])
    paid = {"type": "paid", "on": receipts["1A"]["issued_on"]}
    assert boss.post(f"/v1/receipts/{receipts['1A']['id']}/events", paid).status_code == 201
    local.drain()
    posted = receiver.to("/failing")
    assert len(posted) == 3
    assert len(set(posted)) == 1  # the same delivery, the same bytes, retried
    assert json.loads(posted[0])["type"] == "receipt.paid"
    (delivery,) = boss.get(f"/v1/webhooks/{hook['id']}/deliveries").get_json()
    assert (delivery["status"], delivery["attempts"], delivery["last_status"]) == ("delivered", 3, 200)


def test_a_deleted_webhook_is_told_nothing_more(
    local: Running, receiver: Receiver, moving: tuple[Caller, dict[str, Any]]
) -> None:
    boss, receipts = moving
    hook = registered(boss, receiver.url + "/deleted")
    assert boss.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    assert boss.get(f"/v1/webhooks/{hook['id']}").status_code == 404
    assert boss.get(f"/v1/webhooks/{hook['id']}/deliveries").status_code == 404
    presented = {"type": "presented", "on": receipts["1B"]["issued_on"]}
    assert boss.post(f"/v1/receipts/{receipts['1B']['id']}/events", presented).status_code == 201
    local.drain()
    assert receiver.to("/deleted") == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/hook",
        "https://[::1]/hook",
        "http://hooks.example.org/prorata",
    ],
)
def test_a_url_to_this_machine_or_a_private_network_is_refused(manager: Caller, url: str) -> None:
    refused = manager.post("/v1/webhooks", {"url": url, "events": ["receipt.paid"]})
    assert refused.status_code == 422
    (error,) = refused.get_json()["errors"]
    assert (error["code"], error["field"]) == ("url_not_allowed", "url")


def test_the_request_is_checked_as_any_other(manager: Caller) -> None:
    unknown = manager.post(
        "/v1/webhooks", {"url": "https://hooks.example.org/", "events": ["receipt.exploded"]}
    )
    assert unknown.status_code == 422
    extra = manager.post(
        "/v1/webhooks", {"url": "https://hooks.example.org/", "events": ["receipt.paid"], "x": 1}
    )
    assert extra.status_code == 422
    none = manager.post("/v1/webhooks", {"url": "https://hooks.example.org/", "events": []})
    assert none.status_code == 422


def test_a_webhook_of_another_tenant_is_not_found(
    app: Flask, components: Components, manager: Caller
) -> None:
    hook = manager.created("/v1/webhooks", {"url": "https://hooks.example.org/p", "events": ["receipt.paid"]})
    other = Caller(app.test_client(), key_for(components, Role.MANAGER, new_tenant(components)))
    assert other.get(f"/v1/webhooks/{hook['id']}").status_code == 404
    assert other.delete(f"/v1/webhooks/{hook['id']}").status_code == 404
    assert other.get("/v1/webhooks").get_json() == []
    resident = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    assert (
        resident.post(
            "/v1/webhooks", {"url": "https://hooks.example.org/", "events": ["receipt.paid"]}
        ).status_code
        == 403
    )


class Resolver:
    """DNS as a test says: the name points where it is told, and may be re-pointed."""

    def __init__(self, address: str) -> None:
        self.address = address

    def __call__(self, host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return [ipaddress.ip_address(self.address)]


@pytest.fixture(scope="module")
def quiet(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Production's setting, without workers: the test hands events over and delivers them itself."""
    with running(database_url, tmp_path_factory.mktemp("quiet"), workers=False) as parts:
        yield parts


def test_a_name_re_pointed_at_a_private_address_is_refused_at_delivery(
    quiet: Running, receiver: Receiver, tenant: str
) -> None:
    dns = Resolver("93.184.216.34")
    sender = HttpxWebhookSender(allow_private=False, resolve=dns)
    queue, clock = RecordingQueue(), MovingClock()
    outlets = replace(quiet.parts.outlets, queue=queue, webhooks=sender)
    with quiet.parts.unit_of_work() as uow:  # registered while the name pointed at a public address
        register_webhook(uow, quiet.parts.services, outlets, Principal(Role.MANAGER, tenant), PUBLIC_URL, ALL)
    boss = boss_of(quiet, tenant)
    published_world(boss, boss.created("/v1/communities", {"code": "C0015", "name": "CP Mayor 15"}))
    for id, _ in events_of(quiet.parts, tenant):
        dispatched(quiet.parts, outlets, clock, id)
    assert len(queue.deliveries) == 3
    dns.address = "10.0.0.7"  # re-pointed since
    assert (
        sender.refusal(PUBLIC_URL) == "url's host hooks.example.org resolves to 10.0.0.7, a private address"
    )
    for delivery_id, _ in queue.deliveries:
        ended = deliver(quiet.parts.unit_of_work, clock, outlets, delivery_id)
        assert ended is not None
        assert (ended.status.value, ended.reason) == (
            "failed", "url's host hooks.example.org resolves to 10.0.0.7, a private address",
        )  # fmt: skip
    assert len(queue.deliveries) == 3  # refused for good: no retry
    assert receiver.posts == []


def test_what_a_receiver_echoes_of_the_signature_and_secret_is_neither_kept_nor_shown(
    quiet: Running, receiver: Receiver, tenant: str
) -> None:
    queue, clock = RecordingQueue(), MovingClock()
    outlets = replace(quiet.parts.outlets, queue=queue, webhooks=HttpxWebhookSender(allow_private=True))
    with quiet.parts.unit_of_work() as uow:
        caller = Principal(Role.MANAGER, tenant)
        hook = register_webhook(uow, quiet.parts.services, outlets, caller, receiver.url, ["receipt.issued"])
    receiver.echo = hook.secret
    boss = boss_of(quiet, tenant)
    published_world(boss, boss.created("/v1/communities", {"code": "C0017", "name": "CP Mayor 17"}))
    for id, _ in events_of(quiet.parts, tenant):
        dispatched(quiet.parts, outlets, clock, id)
    for delivery_id, _ in list(queue.deliveries):  # each tried once (its retry is queued meanwhile)
        assert deliver(quiet.parts.unit_of_work, clock, outlets, delivery_id) is not None
    signatures = [headers["prorata-signature"].split("v1=")[1] for headers, _ in receiver.posts]
    shown = boss.get(f"/v1/webhooks/{hook.id}/deliveries").get_json()
    assert len(shown) == 3
    for delivery in shown:
        assert delivery["status"] == "queued"  # to be tried again
        assert delivery["reason"].startswith("no answer: RemoteProtocolError: illegal header line")
        assert not [signed for signed in signatures if signed in delivery["reason"]]
        assert hook.secret not in delivery["reason"]
        assert "v1=*** whsec_***" in delivery["reason"]
        assert delivery["reason"].isprintable()


def test_a_reason_an_earlier_version_kept_unredacted_is_shown_redacted(
    quiet: Running, receiver: Receiver, tenant: str
) -> None:
    queue, clock = RecordingQueue(), MovingClock()
    outlets = replace(quiet.parts.outlets, queue=queue, webhooks=HttpxWebhookSender(allow_private=True))
    with quiet.parts.unit_of_work() as uow:
        caller = Principal(Role.MANAGER, tenant)
        hook = register_webhook(uow, quiet.parts.services, outlets, caller, receiver.url, ["receipt.issued"])
    boss = boss_of(quiet, tenant)
    published_world(boss, boss.created("/v1/communities", {"code": "C0018", "name": "CP Mayor 18"}))
    for id, _ in events_of(quiet.parts, tenant):
        dispatched(quiet.parts, outlets, clock, id)
    raw = f"no answer: echo v1={'ab' * 32} {hook.secret}\x07 iban es91 2100 0418 4502 0005 1332"
    deliveries = tables.webhook_deliveries
    with quiet.parts.engine.begin() as connection:  # as an earlier version kept it
        connection.execute(update(deliveries).where(deliveries.c.webhook_id == hook.id).values(reason=raw))
    shown = boss.get(f"/v1/webhooks/{hook.id}/deliveries").get_json()
    assert [d["reason"] for d in shown] == [
        "no answer: echo v1=*** whsec_*** iban ES91 **** **** **** **** 1332"
    ] * len(shown)
    assert shown


def test_the_sender_posts_to_the_address_it_checked_and_never_follows_a_redirect(receiver: Receiver) -> None:
    port = receiver.server.server_address[1]
    refused = HttpxWebhookSender(allow_private=False).post(f"https://127.0.0.1:{port}/x", b"{}", {})
    assert refused.refused == "url's host 127.0.0.1 is a loopback address"
    receiver.statuses.append(302)
    redirected = HttpxWebhookSender(allow_private=True).post(
        receiver.url, b"{}", {"Content-Type": "application/json"}
    )
    assert (redirected.status, redirected.delivered) == (302, False)
    closed = HttpxWebhookSender(allow_private=True, timeout=1).post("http://127.0.0.1:9/x", b"{}", {})
    assert (closed.status, closed.refused) == (None, None)
    assert closed.error


def test_a_failed_attempt_is_logged_as_retrying_with_its_reason(
    local: Running, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    boss = boss_of(local, new_tenant(local.parts))
    receipts = published_world(
        boss, boss.created("/v1/communities", {"code": "C0016", "name": "CP 16"})
    ).receipts
    local.drain()
    registered(boss, receiver.url + "/logged", ["receipt.paid"])
    receiver.statuses.extend([503])
    paid = {"type": "paid", "on": receipts["1A"]["issued_on"]}
    with caplog.at_level(logging.INFO, logger="prorata.jobs"):
        assert boss.post(f"/v1/receipts/{receipts['1A']['id']}/events", paid).status_code == 201
        local.drain()
    lines = [r for r in caplog.records if getattr(r, "actor", None) == "deliver_webhook"]
    assert [(getattr(r, "outcome", None), r.levelno) for r in lines] == [
        ("retrying", logging.WARNING),
        ("ok", logging.INFO),
    ]
    assert "HTTP 503" in lines[0].getMessage()
    assert "HTTP 503" in getattr(lines[0], "reason", "")
