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


# Empty: the one finding this suite turned up while it was written — a workbook cell's NUL (OOXML _x0000_)
# or an over-long unit code reaching PostgreSQL as a DataError on every attempt — ended with the fix for
# values no record can keep (Unstorable). An entry reads, e.g.:
#     Finding(r"StringDataRightTruncation", "awaiting <fix>: <what fails>", databases=("postgresql",))
KNOWN: tuple[Finding, ...] = ()
