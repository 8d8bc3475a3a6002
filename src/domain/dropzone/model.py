"""Drop-zone accounts and the files claimed from their folders."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prorata.domain.imports.model import ImportJob

ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods")
# Folders the watcher writes outcomes into; files in them are never claimed.
PROCESSED, FAILED = "processed", "failed"
TEMPORARY_PREFIX = ".upload-"
# Where a claimed file is moved, out of its upload name, the moment it is claimed: `.claimed/<hold>/<path>`
# in the account's folder. A later upload of the same name is then another file, another claim, and an
# outcome always moves the very file its import read.
HOLDS = ".claimed"


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
    hold: str = ""  # the hold the file was moved into; "" when it was refused where it stands

    @property
    def located(self) -> str:
        """Where the claimed file is now, in the account's folder (until its outcome moves it)."""
        return held_path(self.path, self.hold) if self.hold else self.path

    def repeats(self, job: ImportJob) -> bool:
        """Whether the file repeats the bytes of an earlier upload, whose import `job` is: a file that makes
        its import is claimed just before the import is received, one that repeats it after."""
        return self.claimed_at > job.received_at

    def told(self, status: str, generation: int) -> bool:
        """Whether this outcome of its import was told already — written, or closed as not writable (see
        `told_as`). A run again (support's reprocess, a retry) is a new outcome even with the same status."""
        said = told_as(status, generation)
        return self.outcome is not None and (self.outcome == said or self.outcome.startswith(f"{said}; "))


def told_as(status: str, generation: int) -> str:
    """What a claim records of the outcome it told: the import's status, and which run of it ended so
    (claims told before runs were counted say the status alone, which is the first run's)."""
    return status if generation == 0 else f"{status}, run {generation + 1}"


def hold_of(device: int, inode: int, size: int, mtime_ns: int) -> str:
    """The hold of one file as it stands: every watcher names the same one (so the claim's unique key
    picks one watcher), and two uploads of a name — two files — have two."""
    return hashlib.sha256(f"{device}:{inode}:{size}:{mtime_ns}".encode()).hexdigest()[:32]


def held_path(path: str, hold: str) -> str:
    """Where a file dropped at `path` is kept once claimed into `hold`."""
    return str(PurePosixPath(HOLDS, hold, path))


def held_in(relative: PurePosixPath) -> tuple[str, PurePosixPath] | None:
    """(hold, the path it was dropped at) for a file in a hold; None for any other file."""
    if len(relative.parts) < 3 or relative.parts[0] != HOLDS:
        return None
    return relative.parts[1], PurePosixPath(*relative.parts[2:])


def is_candidate(relative: PurePosixPath) -> bool:
    """Whether a file in an account's folder is one to import: not a temporary upload, not in the outcome
    folders, not hidden, and of an allowed type — or such a file in a hold (claimed by a watcher that
    stopped before its claim was committed: the next one claims it)."""
    held = held_in(relative)
    if held is not None:
        relative = held[1]
    if not relative.parts or relative.parts[0] in (PROCESSED, FAILED):
        return False
    if any(part.startswith(".") for part in relative.parts):
        return False
    return relative.suffix.lower() in ALLOWED_SUFFIXES and not relative.name.endswith(".result.json")


NAME_MAX = 255  # the bytes of one folder entry's name, on Linux filesystems


def numbered_name(name: str, n: int = 0, spare: int = 0) -> str:
    """`name` (for n > 0 `stem.n.suffix`: another upload of the name), its stem cut by whole characters
    so that it fits in a folder entry with `spare` bytes left for what is added to it (`.result.json`).
    Names are counted in bytes as the filesystem stores them (UTF-8, undecodable bytes as they were)."""
    plain = PurePosixPath(name)
    stem, tail = plain.stem, f".{n}{plain.suffix}" if n else plain.suffix
    room = NAME_MAX - spare - _size(tail)
    while stem and _size(stem) > room:
        stem = stem[: -max(1, (_size(stem) - room) // 4)]  # a character takes at most 4 bytes
    return stem + tail


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


def named_in_text(relative: PurePosixPath) -> bool:
    """Whether the path's names are UTF-8 text. A name another system wrote in its own encoding (cp1252's
    `ñ` as the one byte F1) reaches Python with each byte that is no UTF-8 as a lone surrogate, which no
    database keeps and no JSON reader takes."""
    try:
        str(relative).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(path: str) -> str:
    """The path as text to keep and show: a byte that is no UTF-8 written as its escape (`\\xf1`)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def community_code_of(relative: PurePosixPath) -> str | None:
    """A file in a subfolder goes to the community whose code the subfolder is; in the root, to the tenant."""
    return relative.parts[0] if len(relative.parts) > 1 else None


VALID_USERNAME = r"[a-z_][a-z0-9_.-]{0,31}"


class LinkRefused(Exception):
    """A symbolic link in an account's folder — the dropped file, a folder on its path, processed/ or
    failed/, the account's folder itself. OpenSSH's and SFTPGo's users can create links pointing anywhere
    the watcher's user reaches, so the drop zone neither reads, writes nor moves anything through one.
    `where` is the link's path in the account ("" for the account's folder), never where it points;
    `size` and `mtime_ns` identify what is refused, for its claim."""

    def __init__(self, where: str, size: int = 0, mtime_ns: int = 0) -> None:
        super().__init__(f"{where or 'the account folder'} is a symbolic link: links are not followed")
        self.where = where
        self.size = size
        self.mtime_ns = mtime_ns
