"""What OneSignal's answer to a create-notification request means, whatever the SDK makes of it:

- 2xx with an `id` and no `errors` → sent (its id kept);
- 2xx with an empty `id`, or with `errors` (no subscribed device, an invalid alias) → not delivered, with
  the reason; never retried: the same request would reach nobody again;
- 429 → retried after `Retry-After` (a throttled answer is not counted as a failure);
- 5xx, 408, a timeout, a connection error, or a body that is not a JSON object → retried with backoff under
  the same idempotency key, up to a limit, then failed;
- any other answer (another 4xx, a redirect) → failed with the reason: the request itself is wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

MAX_REASON = 500


class Verdict(StrEnum):
    SENT = "sent"
    NOT_DELIVERED = "not_delivered"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Answer:
    """OneSignal's answer as it came: `status` None when none came (`error` says why), `body` the parsed
    JSON (None when the body was not JSON: `text` holds its start)."""

    status: int | None
    body: object = None
    text: str = ""
    retry_after: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    reason: str | None = None
    provider_id: str | None = None
    retry_after: float | None = None  # seconds OneSignal asked to wait (429)
    throttled: bool = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`backoff` seconds after the first failure, doubling up to `max_backoff` (1 s: 1, 2, 4 … 512, then
    every 10 minutes — 15 failures take some 40 minutes of an outage); failed after `max_failures`
    failures, or `max_attempts` attempts of one generation (429s and crashes included). A `Retry-After`
    is honoured up to `max_retry_after` (at least `min_retry_after`, however soon it says), and a
    server error's is waited for when it asks longer than the backoff."""

    max_failures: int = 15
    max_attempts: int = 50
    backoff: float = 1.0
    max_backoff: float = 600.0
    max_retry_after: float = 3600.0
    min_retry_after: float = 1.0

    def wait(self, outcome: Outcome, failures: int) -> float:
        asked = None
        if outcome.retry_after is not None:
            asked = max(self.min_retry_after, min(outcome.retry_after, self.max_retry_after))
        if outcome.throttled:
            return asked if asked is not None else self.delay(max(failures, 1))
        return max(self.delay(max(failures, 1)), asked or 0.0)

    def delay(self, failures: int) -> float:
        """The wait after the n-th failure (1, 2, …): backoff · 2^(n-1), at most max_backoff."""
        return min(self.max_backoff, self.backoff * (1 << max(0, min(failures - 1, 30))))


def classify(answer: Answer, now: datetime) -> Outcome:
    """The outcome of one request, from its answer (`now` reads an HTTP-date Retry-After)."""
    status = answer.status
    if status is None:
        return Outcome(Verdict.RETRY, f"no answer from OneSignal: {answer.error or 'unknown error'}")
    if status == 429:
        return Outcome(
            Verdict.RETRY,
            "OneSignal is rate limiting (HTTP 429)",
            retry_after=retry_after_seconds(answer.retry_after, now),
            throttled=True,
        )
    if status >= 500 or status == 408:
        return Outcome(
            Verdict.RETRY,
            f"OneSignal answered HTTP {status}: {_said(answer)}",
            retry_after=retry_after_seconds(answer.retry_after, now),
        )
    if 200 <= status < 300:
        return _accepted(answer)
    return Outcome(Verdict.FAILED, f"OneSignal refused the request (HTTP {status}): {_said(answer)}")


def _accepted(answer: Answer) -> Outcome:
    body = answer.body
    if not isinstance(body, dict):
        what = "a body that is not JSON" if body is None else "JSON that is not an object"
        return Outcome(Verdict.RETRY, f"OneSignal answered HTTP {answer.status} with {what}: {_said(answer)}")
    id = body.get("id")
    provider_id = id if isinstance(id, str) and id.strip() else None
    errors = body.get("errors")
    if errors:
        return Outcome(Verdict.NOT_DELIVERED, _short(f"not delivered: {_errors(errors)}"), provider_id)
    if provider_id is None:
        return Outcome(Verdict.NOT_DELIVERED, "not delivered: OneSignal created no notification (no id)")
    return Outcome(Verdict.SENT, None, provider_id)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds from now: a number of seconds or an HTTP-date; None when absent or
    unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _errors(errors: object) -> str:
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return "; ".join(errors)
    return json.dumps(errors, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _said(answer: Answer) -> str:
    body = answer.body
    if isinstance(body, dict) and body.get("errors"):
        return _short(_errors(body["errors"]))
    text = " ".join(answer.text.split())
    return _short(text) if text else "(no body)"


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"
