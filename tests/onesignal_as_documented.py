"""A second stand-in for OneSignal, written apart from tests/fake_onesignal.py and from the adapter: what
OneSignal's documentation says `POST /notifications` does, on a real HTTP server on loopback.

As documented (documentation.onesignal.com: keys-and-ids, create-message, rate-limits, idempotent
notification requests):
- App API keys (`os_v2_app_…`) go as `Authorization: Key <key>`; the legacy REST API keys, still
  accepted, as `Authorization: Basic <key>`. Anything else: 401 `{"errors": ["Access denied. …"]}`.
- The body is JSON (`Content-Type: application/json`, else 400) with the app's `app_id`; `contents` must
  have English; `include_aliases` needs `target_channel`; `idempotency_key` must be a UUID (400 each).
- An external id with a subscribed push device: 200 `{"id": "<uuid>", "external_id": null}` — the one
  request that counts as accepted (`accepted`). An external id OneSignal knows without a subscribed device:
  200 `{"id": "", "errors": ["All included players are not subscribed"]}`. One it does not know: 200 with an
  id and `{"errors": {"invalid_aliases": {"external_id": [...]}}}`.
- The same `idempotency_key` again: the answer of the request that created a notification under it —
  nothing new is sent.
- A rate limit per second (`limit`), counted as requests arrive: beyond it, 429 `{"errors": ["API rate
  limit exceeded"]}` with `Retry-After` in seconds.

And the weather a client meets on the way: `faults` are taken one per request (`then(...)`), or one for
the first attempt of each idempotency key (`first_attempts(...)`) — throttling with `Retry-After` as
seconds or an HTTP date, proxies' HTML 5xx pages, empty 503s, a reset connection (before or after the
notification was made), an answer slower than the client waits, a 200 that is not JSON, a 200 with
warnings, 400/401/403/409 refusals."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

APP_ID = "8e9a6c2d-0f4b-4a57-b1c3-6d2e9f0a7b41"
APP_KEY = "os_v2_app_rv5gylipjnffpmodnuxj6ctxieabcdefghijklmnopqrstuvwx"
LEGACY_KEY = "NGEwMGZmMjItY2NkNy0xMWUzLTk5ZDUtMDAwYzI5NDBlNjJj"
NOT_SUBSCRIBED = "All included players are not subscribed"
RATE_LIMITED = "API rate limit exceeded"
CLOUDFLARE_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    b"</center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


def _errors(*said: str) -> bytes:
    return json.dumps({"errors": list(said)}).encode()


@dataclass(frozen=True)
class Fault:
    """What goes wrong with one request. `made`: OneSignal makes the notification first (then the answer
    is lost, late or garbled); otherwise it never gets to it."""

    name: str
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    made: bool = False
    reset: bool = False
    delay: float = 0.0
    retry_after_date: float | None = None  # seconds from now, sent as an HTTP date
    warnings: bool = False  # the 200 of a made notification carries `warnings` too


def throttled(seconds: str = "1") -> Fault:
    return Fault(f"429 Retry-After {seconds}", 429, _errors(RATE_LIMITED), {"Retry-After": seconds})


def throttled_until(seconds_from_now: float) -> Fault:
    return Fault("429 Retry-After date", 429, _errors(RATE_LIMITED), retry_after_date=seconds_from_now)


def html(status: int = 502) -> Fault:
    return Fault(f"{status} html", status, CLOUDFLARE_502, {"Content-Type": "text/html"})


def empty(status: int = 503) -> Fault:
    return Fault(f"{status} empty", status, b"", {"Content-Type": "text/plain"})


def server_error(status: int = 500) -> Fault:
    return Fault(f"{status} json", status, _errors("Internal server error"))


def reset() -> Fault:
    return Fault("reset before", reset=True)


def made_then_reset() -> Fault:
    return Fault("made, then reset", made=True, reset=True)


def slow(seconds: float) -> Fault:
    """Made, and answered after `seconds` — later than the client waits."""
    return Fault(f"made, answered after {seconds:g} s", made=True, delay=seconds)


def garbled() -> Fault:
    """Made, and the 200 comes back as a page that is not JSON (a proxy on the way)."""
    return Fault(
        "made, 200 not JSON", 200, b"<html><body>OK</body></html>", {"Content-Type": "text/html"}, True
    )


def warned() -> Fault:
    """Made, and the 200 carries warnings besides the id (sent all the same)."""
    return Fault("made, 200 with warnings", made=True, warnings=True)


def refused(status: int, *errors: str) -> Fault:
    return Fault(f"{status} refused", status, _errors(*(errors or ("Bad request",))))


WEATHER = (
    throttled("1"),
    html(502),
    empty(503),
    server_error(500),
    reset(),
    made_then_reset(),
    garbled(),
    warned(),
)


@dataclass(frozen=True)
class Seen:
    """One request as it arrived, and what it was answered."""

    at: float  # time.monotonic()
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    status: int | None  # None: the connection was cut
    fault: str | None

    @property
    def body(self) -> Any:
        try:
            return json.loads(self.raw)
        except ValueError:
            return None

    @property
    def key(self) -> str | None:
        body = self.body
        return body.get("idempotency_key") if isinstance(body, dict) else None


@dataclass(frozen=True)
class Accepted:
    """A notification OneSignal made and sent to a subscribed device."""

    id: str
    body: dict[str, Any]

    @property
    def external_id(self) -> str:
        return str(self.body["include_aliases"]["external_id"][0])

    @property
    def event(self) -> str:
        return str(self.body["data"]["event"])


class DocumentedOneSignal:
    def __init__(self, app_id: str = APP_ID, keys: tuple[str, ...] = (APP_KEY,), limit: int | None = None):
        self.app_id, self.keys, self.limit = app_id, keys, limit
        self.subscribed: set[str] = set()  # external ids with a subscribed push device
        self.known: set[str] = set()  # external ids OneSignal has a user for (subscribed or not)
        self.subscribe_all = False
        self.seen: list[Seen] = []
        self.accepted: list[Accepted] = []
        self.answers: dict[str, tuple[int, bytes]] = {}  # idempotency key -> the answer that made it
        self.faults: deque[Fault] = deque()
        self.first: deque[Fault] = deque()
        self.keys_seen: set[str] = set()
        self.arrivals: deque[float] = deque()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def subscribe(self, *external_ids: str) -> None:
        with self.lock:
            self.known.update(external_ids)
            self.subscribed.update(external_ids)

    def unsubscribe(self, *external_ids: str) -> None:
        with self.lock:
            self.known.update(external_ids)
            self.subscribed.difference_update(external_ids)

    def then(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def first_attempts(self, *faults: Fault) -> None:
        """The first request of each new idempotency key meets the next of these faults (in turn)."""
        with self.lock:
            self.first.extend(faults)

    def reset_state(self) -> None:
        with self.lock:
            self.seen.clear()
            self.accepted.clear()
            self.answers.clear()
            self.faults.clear()
            self.first.clear()
            self.keys_seen.clear()
            self.arrivals.clear()
            self.subscribed.clear()
            self.known.clear()
            self.subscribe_all = False

    def accepted_for(self, receipt_id: str, event: str, external_id: str) -> int:
        with self.lock:
            return sum(
                1
                for a in self.accepted
                if a.body["data"]["receipt_id"] == receipt_id
                and a.event == event
                and a.external_id == external_id
            )

    def requests_for(self, external_id: str) -> list[Seen]:
        with self.lock:
            return [
                s
                for s in self.seen
                if isinstance(s.body, dict)
                and s.body.get("include_aliases", {}).get("external_id") == [external_id]
            ]

    def wait_until(self, accepted: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < accepted:
            assert time.monotonic() < deadline, f"{len(self.accepted)} accepted, not {accepted}"
            time.sleep(0.02)

    # --- answering ---

    def answer(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[Fault | None, int, bytes]:
        """(the fault met, status, body) for one request; status 0 when the connection is to be cut."""
        with self.lock:
            now = time.monotonic()
            if self.limit is not None:
                while self.arrivals and now - self.arrivals[0] >= 1.0:
                    self.arrivals.popleft()
                self.arrivals.append(now)
                if len(self.arrivals) > self.limit:
                    return throttled("1"), 429, _errors(RATE_LIMITED)
            if path.rstrip("/") != "/notifications":
                return None, 404, _errors("Not Found")
            if method != "POST":
                return None, 405, _errors("Method Not Allowed")
            if not self._authorized(headers.get("authorization", "")):
                return (
                    None,
                    401,
                    _errors(
                        "Access denied.  Please include an 'Authorization: ...' header with a valid API key."
                    ),
                )
            fault = self._fault(raw)
            if fault is not None and not fault.made:
                return fault, fault.status, fault.body
            status, body = self._create(headers, raw)
            if fault is None:
                return None, status, body
            if fault.reset or fault.delay:
                return fault, status, body
            if fault.warnings:
                made = json.loads(body)
                made["warnings"] = ["Some of the included languages are not enabled for this app"]
                return fault, status, json.dumps(made).encode()
            return fault, fault.status, fault.body

    def _authorized(self, value: str) -> bool:
        scheme, _, key = value.partition(" ")
        key = key.strip()
        if key not in self.keys:
            return False
        expected = "key" if key.startswith("os_v2_") else "basic"
        return scheme.lower() == expected

    def _fault(self, raw: bytes) -> Fault | None:
        if self.faults:
            return self.faults.popleft()
        try:
            key = json.loads(raw).get("idempotency_key")
        except (ValueError, AttributeError):
            key = None
        if key and key not in self.keys_seen:
            self.keys_seen.add(key)
            if self.first:
                return self.first.popleft()
        return None

    def _create(self, headers: dict[str, str], raw: bytes) -> tuple[int, bytes]:
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return 400, _errors("Please include a case-sensitive header of Content-Type: application/json")
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, _errors("Request body must be JSON")
        if not isinstance(body, dict) or body.get("app_id") != self.app_id:
            return 400, _errors("Incorrect app_id or the app does not exist")
        key = body.get("idempotency_key")
        if key is not None:
            try:
                uuid.UUID(str(key))
            except ValueError:
                return 400, _errors("idempotency_key must be a valid UUID")
            if key in self.answers:
                return self.answers[key]
        contents = body.get("contents")
        if not isinstance(contents, dict) or not contents.get("en"):
            return 400, _errors("Message Notifications must have English language content")
        aliases = body.get("include_aliases")
        if aliases is not None and body.get("target_channel") not in ("push", "email", "sms"):
            return 400, _errors("target_channel must be set when include_aliases is used")
        targets = (aliases or {}).get("external_id") or []
        unknown = [t for t in targets if t not in self.known and not self.subscribe_all]
        if unknown:
            made = str(uuid.uuid4())
            answer = (
                200,
                json.dumps(
                    {"id": made, "external_id": None, "errors": {"invalid_aliases": {"external_id": unknown}}}
                ).encode(),
            )
        elif not any(t in self.subscribed or self.subscribe_all for t in targets):
            return 200, json.dumps({"id": "", "errors": [NOT_SUBSCRIBED]}).encode()
        else:
            made = str(uuid.uuid4())
            self.accepted.append(Accepted(made, body))
            answer = 200, json.dumps({"id": made, "external_id": None}).encode()
        if key is not None:
            self.answers[key] = answer
        return answer

    def note(self, seen: Seen) -> None:
        with self.lock:
            self.seen.append(seen)

    def start(self) -> DocumentedOneSignal:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def documented_onesignal(**kw: Any) -> Iterator[DocumentedOneSignal]:
    server = DocumentedOneSignal(**kw).start()
    try:
        yield server
    finally:
        server.stop()


def _handler(stand_in: DocumentedOneSignal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self._serve("POST")

        def do_GET(self) -> None:
            self._serve("GET")

        def _serve(self, method: str) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            arrived = time.monotonic()
            fault, status, body = stand_in.answer(method, self.path, headers, raw)
            name = fault.name if fault else None
            if fault is not None and fault.reset:
                stand_in.note(Seen(arrived, method, self.path, headers, raw, None, name))
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()  # RST: no answer at all
                self.close_connection = True
                return
            stand_in.note(Seen(arrived, method, self.path, headers, raw, status, name))
            if fault is not None and fault.delay and stand_in.stopping.wait(fault.delay):
                return
            sent = {"Content-Type": "application/json", **(fault.headers if fault else {})}
            if fault is not None and fault.retry_after_date is not None:
                when = datetime.now(UTC) + timedelta(seconds=fault.retry_after_date)
                sent["Retry-After"] = format_datetime(when.replace(microsecond=0), usegmt=True)
            try:
                self.send_response(status)
                for name_, value in sent.items():
                    self.send_header(name_, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                self.close_connection = True  # the client stopped waiting

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
