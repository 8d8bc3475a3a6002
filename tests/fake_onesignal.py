"""A stand-in for OneSignal's REST API: a real HTTP server on loopback (http.server in a thread) that
answers `POST /notifications` as OneSignal does, or as a test scripts it.

Like OneSignal it checks the key (`Authorization: Key <key>`) and the app id, and honours the idempotency
key: a request whose key created a notification before gets that notification's id again and sends
nothing new. So `created` counts what residents' phones would have shown, whatever was retried —
exactly once per (receipt, event, resident) is `created_for(...) == 1` for each.

A script is a queue of answers taken one per request (then the default: a notification is created):
`ok()`, `no_recipients()`, `invalid_alias()`, `throttled(retry_after)`, `status(500)`, `html(502)`,
`not_json()`, `refused(400, ...)`, `made_then(500)`, `hang()` (the notification is created, the answer
held until `release()` or the test ends: a worker killed mid-request), `echoing(400)` (the request's
headers said back in the error, control characters and all, as a debugging proxy or a careless upstream
does: what prorata keeps of an answer is untrusted)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

APP_ID = "5eb5a37e-b458-11e3-ac11-000c2940e62c"
API_KEY = "os_v2_app_testkey"


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `create`: the notification is created (or found by its key) first."""

    status: int = 200
    body: Any = None  # JSON, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    create: bool = True
    hang: bool = False
    echo: bool = False


def ok() -> Reply:
    return Reply()


def no_recipients() -> Reply:
    return Reply(200, {"id": "", "errors": ["All included players are not subscribed"]}, create=False)


def invalid_alias() -> Reply:
    """OneSignal's answer for an external id it does not know: an id, and `errors` naming the alias."""
    return Reply(
        200, {"id": str(uuid.uuid4()), "errors": {"invalid_aliases": {"external_id": ["?"]}}}, create=False
    )


def throttled(retry_after: str = "7") -> Reply:
    return Reply(429, {"errors": ["API rate limit exceeded"]}, {"Retry-After": retry_after}, create=False)


def status(code: int) -> Reply:
    return Reply(code, {"errors": [f"Internal error {code}"]}, create=False)


def html(code: int = 502) -> Reply:
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
    return Reply(code, page, {"Content-Type": "text/html"}, create=False)


def not_json() -> Reply:
    return Reply(200, b"OK", {"Content-Type": "text/plain"}, create=False)


def refused(code: int = 400, *errors: str) -> Reply:
    said = list(errors) or ["Message Notifications must have English language content"]
    return Reply(code, {"errors": said}, create=False)


def made_then(code: int = 500) -> Reply:
    """The notification is made, and the answer is an error anyway (a proxy failing on the way back)."""
    return Reply(code, {"errors": [f"Internal error {code}"]})


def hang() -> Reply:
    return Reply(hang=True)


def echoing(code: int = 400) -> Reply:
    return Reply(code, create=False, echo=True)


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() when it arrived

    @property
    def key(self) -> str | None:
        return self.body.get("idempotency_key") if isinstance(self.body, dict) else None


class FakeOneSignal:
    def __init__(self, app_id: str = APP_ID, api_key: str = API_KEY) -> None:
        self.app_id, self.api_key = app_id, api_key
        self.requests: list[Request] = []
        self.script: deque[Reply] = deque()
        self.by_key: dict[str, str] = {}  # idempotency key -> the id of the notification it created
        self.created: list[dict[str, Any]] = []  # the notifications "sent": each request body that made one
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), name="fake-onesignal", daemon=True
        )

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def then(self, *replies: Reply) -> FakeOneSignal:
        with self.lock:
            self.script.extend(replies)
        return self

    def release(self) -> None:
        self.released.set()

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.script.clear()
            self.by_key.clear()
            self.created.clear()
        self.released.clear()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> None:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} request(s) arrived, not {count}")

    def created_for(self, receipt_id: str, event_id: str, external_id: str) -> int:
        """How many notifications were made for the (receipt, event, resident): must be 1, never 2."""
        with self.lock:
            return sum(
                1
                for body in self.created
                if body["data"].get("receipt_id") == receipt_id
                and body["data"].get("event_id") == event_id
                and body["include_aliases"]["external_id"] == [external_id]
            )

    def answer(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        with self.arrived:
            self.requests.append(request)
            self.arrived.notify_all()
            if request.path.rstrip("/") != "/notifications":
                return _json(404, {"errors": ["not found"]})
            if request.headers.get("authorization") != f"Key {self.api_key}":
                return _json(403, {"errors": ["Access denied.  Please include an 'Authorization: ...' header "
                                              "with a valid API key"]})  # fmt: skip
            body = request.body
            if not isinstance(body, dict) or body.get("app_id") != self.app_id:
                return _json(400, {"errors": ["app_id not found. You may be missing a Content-Type header"]})
            reply = self.script.popleft() if self.script else ok()
            key = request.key
            made = None
            if reply.create:
                made = self.by_key.get(key) if key else None
                if made is None:
                    made = str(uuid.uuid4())
                    if key:
                        self.by_key[key] = made
                    self.created.append(body)
        if reply.hang:
            self.released.wait(30)
        if reply.echo:
            said = "; ".join(f"{name}: {value}" for name, value in request.headers.items())
            return _json(reply.status, {"errors": [f"Bad request\n\x1b[31m\u202e{said}\x00"]}, reply.headers)
        if reply.create and reply.body is None:
            return _json(reply.status, {"id": made, "external_id": None}, reply.headers)
        if isinstance(reply.body, bytes):
            return reply.status, {"Content-Type": "application/octet-stream", **reply.headers}, reply.body
        return _json(reply.status, reply.body, reply.headers)

    def start(self) -> FakeOneSignal:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def fake_onesignal() -> Iterator[FakeOneSignal]:
    server = FakeOneSignal().start()
    try:
        yield server
    finally:
        server.stop()


def _json(code: int, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return code, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


def _handler(fake: FakeOneSignal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: without TCP_NODELAY the body waits for the client's
        # delayed ACK, 40 ms a request — OneSignal's latency would be ours.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            code, sent, content = fake.answer(Request(self.path, headers, body, time.monotonic()))
            try:
                self.send_response(code)
                for name, value in sent.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except OSError:
                pass  # the client went away (timed out, or was killed)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
