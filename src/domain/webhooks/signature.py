"""The signature of a delivery, as its receiver checks it:

    Prorata-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">

keyed with the webhook's secret (its text, UTF-8) over the exact bytes of the body. The receiver recomputes
it, compares in constant time, and refuses a `t` too far from its own clock (a replayed delivery)."""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>"."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(value: str, secret: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether a `Prorata-Signature` header signs `body` with `secret`, and was made within `tolerance`
    seconds of `now` (what a receiver runs; any `v1` of the header may match)."""
    parts = [item.partition("=") for item in value.split(",")]
    stamps = [v for k, _, v in parts if k.strip() == "t"]
    signatures = [v.strip() for k, _, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not signatures:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in signatures)
