"""What the hostile-input suite finds today that a fix under way (or still to be assigned) will end: each
finding is recognised by the text of what went wrong, and a test that fails only with known findings is
marked xfail (strict=False) with the reason — remove an entry once its fix has landed and its tests pass."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    pattern: str  # a regular expression over one line of what went wrong
    reason: str
    databases: tuple[str, ...] = ()  # where it shows; every database when empty


KNOWN: tuple[Finding, ...] = (
    Finding(
        r"PostgreSQL text fields cannot contain NUL|StringDataRightTruncation|value too long for type",
        "awaiting the fix for values no record can keep (Unstorable): a file's cell reaches PostgreSQL "
        "unchecked — a NUL (OOXML _x0000_) or a unit code over 50 characters is a DataError on every "
        "attempt, retried 4 times; SQLite keeps the over-long code",
        databases=("postgresql",),
    ),
)
