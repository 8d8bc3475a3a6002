"""OneSignal as the notifier, on onesignal-sdk 2.0.0 — made right on the wire.

The package builds the create-notification request (its URL under the configured root, the app id in the
body); this adapter sends it itself, because the package's own sending is wrong for today's OneSignal:
it hard-codes `Authorization: Basic <key>` where current app keys (`os_v2_app_…`) go as `Authorization:
Key <key>`, defaults to the legacy root `https://onesignal.com/api/v1` (ours is
`PRORATA_ONESIGNAL_API_ROOT`, `https://api.onesignal.com` by default), opens an unpooled connection per
call, raises JSONDecodeError on a non-JSON error body (an HTML 502 from a proxy) and returns the 200 "not
subscribed" answer as a success. Here: one pooled httpx client, the `Key` scheme, a timeout, and every
answer returned as it came (`Answer`) for `notifications.outcomes.classify` to judge — never an exception
for what OneSignal or the network did."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
from onesignal_sdk.client import Client

from prorata.domain.notifications.model import Push
from prorata.domain.notifications.outcomes import Answer

MAX_BODY = 1024 * 1024  # an answer larger than this is not OneSignal's
_TEXT = 500


class OneSignalNotifier:
    def __init__(
        self,
        app_id: str,
        api_key: str,
        api_root: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        root = api_root.strip().rstrip("/")
        if urlsplit(root).scheme not in ("https", "http") or not urlsplit(root).hostname:
            raise ValueError(f"PRORATA_ONESIGNAL_API_ROOT must be an https URL, not {api_root!r}")
        self.api_key = api_key.strip()
        if not self.api_key.isascii() or not self.api_key.isprintable() or " " in self.api_key:
            # it could not be sent in a header: every push would fail, retried for nothing
            raise ValueError(
                "PRORATA_ONESIGNAL_API_KEY holds a space or a character that is not printable ASCII: "
                "paste the key again, as OneSignal shows it"
            )
        self.sdk = Client(app_id=app_id, rest_api_key=self.api_key, options={"API_ROOT": root})
        self.authorization = f"{scheme_of(self.api_key)} {self.api_key}"
        self.timeout = timeout
        self.transport = transport
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def request_body(self, push: Push) -> dict[str, Any]:
        """What OneSignal is sent for one push (the SDK adds `app_id`)."""
        return {
            "target_channel": "push",
            "include_aliases": {"external_id": [push.external_id]},
            "idempotency_key": push.idempotency_key,
            "headings": push.headings,
            "contents": push.contents,
            "data": push.data,
        }

    def ready(self) -> None:
        self.http()  # ~0.1 s the first time (its TLS context): more than the pace's headroom

    def send(self, push: Push) -> Answer:
        request = self.sdk._kwargs_send_notification(self.request_body(push))
        headers = {"Authorization": self.authorization, "Accept": "application/json"}
        try:
            with self.http().stream(
                request["method"], request["url"], json=request["payload"], headers=headers
            ) as response:
                content = _read(response)
                retry_after = response.headers.get("Retry-After")
                status = response.status_code
        except httpx.TimeoutException:
            return Answer(None, error=f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as error:
            return Answer(None, error=f"{type(error).__name__}: {error}")
        text = content.decode("utf-8", "replace")
        try:
            body: object = json.loads(text)
        except ValueError:
            body = None
        return Answer(status, body, text[:_TEXT], retry_after)

    def http(self) -> httpx.Client:
        """One pooled client per process, made at the first send (never before a fork)."""
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    timeout=httpx.Timeout(self.timeout),
                    transport=self.transport,
                    follow_redirects=False,
                    headers={"User-Agent": "prorata"},
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None


def scheme_of(api_key: str) -> str:
    """The Authorization scheme OneSignal documents for the key: `Key` for App API keys (`os_v2_…`, made
    since November 2024), `Basic` for the legacy REST API keys made before."""
    return "Key" if api_key.startswith("os_v2_") else "Basic"


def _read(response: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            break
    return b"".join(chunks)[:MAX_BODY]
