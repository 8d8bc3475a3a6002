"""Webhook deliveries as a hostile receiver or a hostile DNS would have them: a name that resolves to this
machine, a private network or cloud metadata — however the address is spelt in IPv6 — is refused when the
delivery is made; a redirect is never followed; an answer later than the timeout is not a success."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from prorata.adapters.webhooks import Address, HttpxWebhookSender
from prorata.application.webhooks import deliver
from prorata.domain.access.principal import Role
from prorata.domain.webhooks.signature import verify
from tests.api_client import Caller, key_for, new_tenant
from tests.integration.notification_world import (
    MovingClock,
    RecordingQueue,
    Running,
    dispatched,
    events_of,
    running,
)
from tests.integration.published import published_receipts


class Endpoint:
    """A receiver on loopback answering each post with `status` (and `location`), after `delay` s."""

    def __init__(self, status: int = 200, location: str | None = None, delay: float = 0.0) -> None:
        self.status, self.location, self.delay = status, location, delay
        self.posts: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                endpoint.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                endpoint.headers.append({k.lower(): v for k, v in self.headers.items()})
                endpoint.posts.append(self.path)
                time.sleep(endpoint.delay)
                try:
                    self.send_response(endpoint.status)
                    if endpoint.location:
                        self.send_header("Location", endpoint.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

            do_GET = do_POST  # noqa: N815 - http.server's name for it

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    found = Endpoint()
    yield found
    found.close()


def resolving_to(*addresses: str) -> Any:
    def resolve(host: str, port: int) -> list[Address]:
        return [ipaddress.ip_address(a) for a in addresses]

    return resolve


@pytest.mark.parametrize(
    ("addresses", "why"),
    [
        (["127.0.0.1"], "a loopback address"),
        (["10.0.0.7"], "a private address"),
        (["169.254.169.254"], "a link-local address"),
        (["::1"], "a loopback address"),
        (["::ffff:127.0.0.1"], "a loopback address"),
        (["::ffff:169.254.169.254"], "a link-local address"),
        (["93.184.216.34", "10.0.0.7"], "a private address"),  # one public among them is not enough
        (["64:ff9b::7f00:1"], "a loopback address"),  # NAT64 of 127.0.0.1
        (["64:ff9b::a9fe:a9fe"], "a link-local address"),  # NAT64 of the cloud metadata
        (["64:ff9b::a00:7"], "a private address"),  # NAT64 of 10.0.0.7
        (["64:ff9b:1::a00:7"], "not a public address"),  # a local-use NAT64 prefix
        (["2002:a9fe:a9fe::1"], "a link-local address"),  # 6to4 of the cloud metadata
        (["::7f00:1"], "not a public address"),  # IPv4-compatible 127.0.0.1
    ],
)
def test_a_name_resolving_to_a_local_address_however_spelt_is_refused_when_delivering(
    endpoint: Endpoint, addresses: list[str], why: str
) -> None:
    sender = HttpxWebhookSender(allow_private=False, resolve=resolving_to(*addresses))
    answer = sender.post(f"https://hooks.example.org:{endpoint.port}/hook", b"{}", {})
    assert answer.status is None
    assert answer.refused is not None
    assert answer.refused.startswith("url's host hooks.example.org resolves to ")
    assert why in answer.refused
    assert endpoint.posts == []


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "https://[64:ff9b::a00:7]/hook",
        "https://[2002:7f00:1::1]/hook",
        "https://[::7f00:1]/hook",
        "https://[::ffff:10.0.0.7]/hook",
    ],
)
def test_a_literal_ipv6_that_carries_a_local_ipv4_address_is_refused_at_registration(
    manager: Caller, url: str
) -> None:
    refused = manager.post("/v1/webhooks", {"url": url, "events": ["receipt.paid"]})
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["errors"][0]["code"] == "url_not_allowed"


def test_a_public_address_behind_nat64_is_still_allowed() -> None:
    sender = HttpxWebhookSender(allow_private=False, resolve=resolving_to("64:ff9b::5db8:d822"))
    assert sender.refusal("https://hooks.example.org/hook") is None  # 93.184.216.34 over NAT64


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_is_not_a_delivery(endpoint: Endpoint, status: int) -> None:
    inside = Endpoint()
    try:
        endpoint.status, endpoint.location = status, inside.url("/latest/meta-data/")
        answer = HttpxWebhookSender(allow_private=True).post(endpoint.url(), b"{}", {})
        assert (answer.status, answer.delivered) == (status, False)
        assert endpoint.posts == ["/hook"]
        assert inside.posts == []  # where it pointed was never asked
    finally:
        inside.close()


def test_an_answer_later_than_the_timeout_is_not_a_success(endpoint: Endpoint) -> None:
    endpoint.delay = 0.6
    answer = HttpxWebhookSender(allow_private=True, timeout=0.2).post(endpoint.url(), b"{}", {})
    assert (answer.status, answer.delivered) == (None, False)
    assert answer.error == "no answer within 0.2 s"


def test_a_2xx_dripped_out_past_the_timeout_is_not_a_success() -> None:
    """Each piece of the answer within the timeout, the whole answer well after it."""
    listener = socket.create_server(("127.0.0.1", 0))

    def drip() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for piece in (b"HTTP/1.1 200 OK\r\n", b"X-A: 1\r\n", b"X-B: 2\r\n", b"X-C: 3\r\n"):
                connection.sendall(piece)
                time.sleep(0.15)
            connection.sendall(b"Content-Length: 0\r\n\r\n")

    threading.Thread(target=drip, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        answer = HttpxWebhookSender(allow_private=True, timeout=0.3).post(url, b"{}", {})
    finally:
        listener.close()
    assert (answer.status, answer.delivered) == (None, False)
    assert answer.error is not None
    assert answer.error.startswith("answered after ")


@pytest.fixture(scope="module")
def by_hand(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Local addresses allowed, the default backoff (2 s, doubling), no workers: the test delivers."""
    env = {"PRORATA_WEBHOOKS_ALLOW_PRIVATE": "true"}
    with running(database_url, tmp_path_factory.mktemp("by-hand"), workers=False, env=env) as parts:
        yield parts


def test_a_failing_receiver_is_asked_again_with_exponential_backoff_each_post_signed_anew(
    by_hand: Running, endpoint: Endpoint
) -> None:
    tenant = new_tenant(by_hand.parts)
    boss = Caller(by_hand.app.test_client(), key_for(by_hand.parts, Role.MANAGER, tenant))
    hook = boss.created("/v1/webhooks", {"url": endpoint.url(), "events": ["receipt.issued"]})
    community = boss.created("/v1/communities", {"code": "C0051", "name": "CP Mayor 51"})
    published_receipts(boss, community)
    queue, clock = RecordingQueue(), MovingClock()
    outlets = replace(by_hand.parts.outlets, queue=queue)
    for id, _ in events_of(by_hand.parts, tenant):
        dispatched(by_hand.parts, outlets, clock, id)
    first = queue.deliveries[0][0]
    endpoint.status = 500
    waits = []
    for _ in range(3):
        after = deliver(by_hand.parts.unit_of_work, clock, outlets, first)
        assert after is not None
        waits.append(queue.deliveries[-1][1])
        clock.advance(waits[-1])
    assert waits == [2.0, 4.0, 8.0]
    endpoint.status = 200
    done = deliver(by_hand.parts.unit_of_work, clock, outlets, first)
    assert done is not None
    assert (done.status.value, done.attempts, done.last_status) == ("delivered", 4, 200)
    assert len(endpoint.bodies) == 4
    assert len(set(endpoint.bodies)) == 1
    stamps = []
    for headers, body in zip(endpoint.headers, endpoint.bodies, strict=True):
        signed = headers["prorata-signature"]
        stamps.append(int(signed.split(",")[0].removeprefix("t=")))
        assert verify(signed, hook["secret"], body, stamps[-1])
        assert not verify(signed, "whsec_another", body, stamps[-1])
    assert stamps == sorted(stamps)
    assert stamps[-1] - stamps[0] == 14
    shown = boss.get(f"/v1/webhooks/{hook['id']}/deliveries").get_json()
    assert hook["secret"] not in str(shown) + str(boss.get(f"/v1/webhooks/{hook['id']}").get_json())
