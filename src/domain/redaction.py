"""Text that leaves prorata's hands — a log line, the reason an upstream (OneSignal, a webhook's receiver)
gave that the API then serves — shows no IBAN in clear (masked as on receipts), no password of a URL, no
secret of a prorata key (its id stays, to trace it), of a webhook or of OneSignal, no credential of an
Authorization header and no lone surrogate (a file name that was not UTF-8: written as its escape).

Pure functions over text: the domain tells a reason with them, the log formatter every line."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from prorata.domain.community.ibans_in_text import mask_ibans

_B64ISH = r"[A-Za-z0-9._~+/=-]"
_BEFORE = r"(?<![A-Za-z0-9])"  # a word's start, an underscore's end too (`KEY_prk_…`)
_UNMASKED = r"(?![A-Za-z0-9._~+/=-]*\*)"  # not a secret masked already: redacting twice changes nothing
# `prk_<key id: 32 hex>_<secret>`: the id kept; anything else after `prk_` taken for a secret.
_PRORATA_KEY = re.compile(
    _BEFORE + r"(?i:(prk_)(?:([0-9a-f]{32}_)(?=[A-Za-z0-9_-])|(?![0-9a-f]{32}_\*)))[A-Za-z0-9_-]+"
)
_ONESIGNAL_KEY = re.compile(_BEFORE + r"os_v2_app_(?!\*)[A-Za-z0-9_]+")
_WEBHOOK_SECRET = re.compile(_BEFORE + r"whsec_(?!\*)[A-Za-z0-9_-]+")
_SIGNATURE = re.compile(_BEFORE + r"(v1=)[0-9a-fA-F]{64}(?![0-9a-fA-F])")
# OneSignal's legacy REST API keys: a UUID's text in base64 (48 characters), told by decoding.
_BASE64_48 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{48}(?![A-Za-z0-9+/=])")
_UUID_TEXT = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# A credential after its scheme, anywhere; after Basic only one that cannot be a word ("basic settings").
_SCHEMED = re.compile(
    r"(?i)\b(bearer\s+|basic\s+(?=" + _B64ISH + r"*[0-9+/=]))" + _UNMASKED + _B64ISH + r"{8,}"
)
# An Authorization header however written (`Authorization: Key …`, `{'authorization': 'Bearer …'}`):
# whatever credential follows.
_AUTHORIZATION = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)((?:basic|bearer|key|token)\s+)?+(?![^\s\"',;]*\*)"
    r"[^\s\"',;]+"
)
# From `://user:` (the user may be empty) to the last `@` before the host: a password may hold / and @.
_URL_PASSWORD = re.compile(r"(://[^/\s:@]*:)\S*@")
_SURROGATE = re.compile("[\ud800-\udfff]")
REASON_LIMIT = 500


def redact(text: str) -> str:
    """`text` with every secret and IBAN it shows masked (`***`, or as on receipts for an IBAN)."""
    lowered = text.lower()  # each pattern runs only where its word is: a log line is redacted each time
    if "prk_" in lowered:
        text = _PRORATA_KEY.sub(lambda found: f"{found[1]}{found[2] or ''}***", text)
    if "os_v2_app_" in text:
        text = _ONESIGNAL_KEY.sub("os_v2_app_***", text)
    if "whsec_" in text:
        text = _WEBHOOK_SECRET.sub("whsec_***", text)
    if "v1=" in text:
        text = _SIGNATURE.sub(r"\1***", text)
    text = _BASE64_48.sub(_legacy_key, text)
    if "bearer" in lowered or "basic" in lowered:
        text = _SCHEMED.sub(r"\1***", text)
    if "authorization" in lowered:
        text = _AUTHORIZATION.sub(lambda found: f"{found[1]}{found[2] or ''}***", text)
    if "://" in text:
        text = _URL_PASSWORD.sub(r"\1***@", text)
    text = mask_ibans(text)
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text) if not text.isascii() else text


def clean_reason(text: str, limit: int = REASON_LIMIT) -> str:
    """What an upstream said, fit to keep and to show a manager: one line of printable characters
    (controls become spaces, format characters such as bidi overrides go), redacted, at most `limit`
    characters (cut after redaction, so no secret is cut short of its mask)."""
    printable = "".join(
        " " if unicodedata.category(ch) == "Cc" else "" if unicodedata.category(ch) == "Cf" else ch
        for ch in text[: limit * 8]  # what may show, with room for what redaction takes away
    )
    told = redact(" ".join(printable.split()))
    return told if len(told) <= limit else told[: limit - 1] + "…"


def shown_reason(kept: str | None) -> str | None:
    """A reason fit to keep and show, or None: what an upstream said is untrusted (it may echo a key, hold
    control characters, run long). Shown ones are cleaned again, for those an earlier version kept as they
    came (cleaning twice changes nothing)."""
    return None if kept is None else clean_reason(kept)


def _legacy_key(found: re.Match[str]) -> str:
    try:
        decoded = base64.b64decode(found.group(), validate=True)
    except (binascii.Error, ValueError):
        return found.group()
    return "***" if _UUID_TEXT.fullmatch(decoded) else found.group()
