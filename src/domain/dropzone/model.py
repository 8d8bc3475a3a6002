"""Drop-zone accounts and the files claimed from their folders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath

ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods")
# Folders the watcher writes outcomes into; files in them are never claimed.
PROCESSED, FAILED = "processed", "failed"
TEMPORARY_PREFIX = ".upload-"


@dataclass(frozen=True, slots=True)
class DropAccount:
    """A legacy system's SFTP login: a password hash (scrypt), OpenSSH public keys, or both."""

    id: str
    tenant_id: str
    username: str
    created_at: datetime
    password_hash: str | None = None
    public_keys: tuple[str, ...] = ()


class ClaimState(StrEnum):
    CLAIMED = "claimed"
    REPORTED = "reported"


@dataclass(frozen=True, slots=True)
class DropClaim:
    """One file as it stood when claimed; the same name uploaded again later is a new claim."""

    id: str
    tenant_id: str
    account_id: str
    path: str
    size: int
    mtime_ns: int
    claimed_at: datetime
    import_id: str | None = None
    state: ClaimState = ClaimState.CLAIMED
    outcome: str | None = None


def is_candidate(relative: PurePosixPath) -> bool:
    """Whether a file in an account's folder is one to import: not a temporary upload, not in the outcome
    folders, not hidden, and of an allowed type."""
    if not relative.parts or relative.parts[0] in (PROCESSED, FAILED):
        return False
    if any(part.startswith(".") for part in relative.parts):
        return False
    return relative.suffix.lower() in ALLOWED_SUFFIXES and not relative.name.endswith(".result.json")


def community_code_of(relative: PurePosixPath) -> str | None:
    """A file in a subfolder goes to the community whose code the subfolder is; in the root, to the tenant."""
    return relative.parts[0] if len(relative.parts) > 1 else None


VALID_USERNAME = r"[a-z_][a-z0-9_.-]{0,31}"
