"""Password hashes with scrypt (standard library): salted, slow to guess, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def check_password(password: str, stored: str | None) -> bool:
    """Whether the password is the one `stored` hashes. Without a usable hash (an unknown user, an
    account with keys only, a damaged hash) the same scrypt work is done on a hash no password matches,
    so the answer takes as long and tells no one which user names exist."""
    if stored is not None and _usable(stored):
        return verify_password(password, stored)
    verify_password(password, _NO_PASSWORD)
    return False


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _usable(stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        numbers = (int(n), int(r), int(p))
        decoded = base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)
    except ValueError:
        return False
    return scheme == "scrypt" and min(numbers) > 0 and all(decoded)


# A hash with today's parameters whose digest (zero bytes) no scrypt output equals: checked against
# when there is no hash to check, for the time it takes.
_NO_PASSWORD = "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(bytes(16)), _b64(bytes(32))])
