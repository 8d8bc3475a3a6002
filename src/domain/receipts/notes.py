"""The notes prorata itself writes on a receipt's history entries — a remittance's presentation, its
cancellation, a bank file's report — in one fixed shape, and read back as facts so that a document says
them in its own language (the catalogue's `notes`). A note a manager or a management system wrote is
its author's words, shown as written. Notes kept before this module read the same: the shapes are
those prorata has always written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class NoteKind(StrEnum):
    PRESENTED = "presented_by_remittance"
    WITHDRAWN = "withdrawn_by_cancellation"
    BANK_FILE = "bank_file"


@dataclass(frozen=True, slots=True)
class Note:
    """A note of prorata's own: what kind, the remittance's message id or the bank file's format and
    message id, the collection date, and what the bank said in its own words (AddtlInf, a proprietary
    reason), if anything."""

    kind: NoteKind
    message_id: str | None = None
    on: date | None = None
    format: str | None = None
    said: str | None = None


_PRESENTED = re.compile(r"remittance (?P<id>\S+): collection on (?P<on>\d{4}-\d{2}-\d{2})")
_WITHDRAWN = re.compile(r"remittance (?P<id>\S+) cancelled before its collection date")
_BANK_FILE = re.compile(
    r"(?P<format>(?:pain\.002|camt\.054)\.\d{3}\.\d{2})(?: (?P<id>(?:(?!: ).)+))?(?:: (?P<said>.*))?", re.S
)


def presented_note(message_id: str, collection_date: date) -> str:
    return f"remittance {message_id}: collection on {collection_date.isoformat()}"


def withdrawn_note(message_id: str) -> str:
    return f"remittance {message_id} cancelled before its collection date"


def bank_file_note(format: str, message_id: str | None, said: str | None) -> str:
    """The bank file that moved the receipt, and what the bank said in its own words."""
    named = f"{format} {message_id or ''}".strip()
    return f"{named}: {said}" if said else named


def read_note(note: str) -> Note | None:
    """The facts of a note prorata wrote; None for anyone else's words."""
    if (found := _PRESENTED.fullmatch(note)) and (on := _day(found["on"])) is not None:
        return Note(NoteKind.PRESENTED, found["id"], on)
    if found := _WITHDRAWN.fullmatch(note):
        return Note(NoteKind.WITHDRAWN, found["id"])
    if found := _BANK_FILE.fullmatch(note):
        return Note(NoteKind.BANK_FILE, found["id"], format=found["format"], said=found["said"])
    return None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
