"""The words of a receipt in each language: one JSON catalogue per language (text/xx.json), data rather
than code, loaded with importlib.resources. Every catalogue has exactly the same keys (a test checks it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from prorata.domain.receipts.formats import Formats
from prorata.domain.receipts.notes import read_note

LANGUAGES = ("es", "ca", "fr", "en")
DEFAULT_LANGUAGE = "es"


class UnknownLanguage(ValueError):
    """No catalogue for that language (HTTP 422 on `?lang=`)."""

    def __init__(self, language: str) -> None:
        super().__init__(f"no receipt text in {language!r}; one of: {', '.join(LANGUAGES)}")
        self.language = language


@dataclass(frozen=True, slots=True)
class Reason:
    """A bank's reason code in plain words, and what the resident can do about it."""

    code: str
    meaning: str
    todo: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    language: str
    entries: dict[str, Any]
    formats: Formats

    def __call__(self, key: str, **values: object) -> str:
        """The label `key`, with its {placeholders} filled in. A missing key is a KeyError: the renderer
        asks only for keys every catalogue has."""
        text: str = self.entries["labels"][key]
        return text.format(**values) if values else text

    def status(self, status: str) -> str:
        return str(self.entries["status"][status])

    def event(self, event: str) -> str:
        return str(self.entries["events"][event])

    def method(self, method: str) -> str:
        return str(self.entries["methods"][method])

    def part(self, part: str) -> str:
        return str(self.entries["parts"].get(part, part))

    def basis(self, basis: str) -> str:
        return str(self.entries["bases"].get(basis, basis))

    def service(self, service: str) -> str:
        return str(self.entries["services"][service])

    def kind(self, kind: str) -> str:
        return str(self.entries["kinds"][kind])

    def reason(self, code: str) -> Reason:
        known = self.entries["reasons"].get(code)
        if known is None:
            unknown = self.entries["reason_unknown"]
            return Reason(code, unknown["meaning"].format(code=code), unknown["todo"].format(code=code))
        return Reason(code, known["meaning"], known["todo"])

    def note(self, note: str) -> str:
        """A history entry's note in this language when prorata wrote it (domain/receipts/notes.py);
        anyone else's note as its author wrote it."""
        found = read_note(note)
        if found is None:
            return note
        key = f"{found.kind.value}_said" if found.said else found.kind.value
        text: str = self.entries["notes"][key].format(
            message_id=found.message_id,
            on=self.formats.date(found.on) if found.on else "",
            file=f"{found.format or ''} {found.message_id or ''}".strip(),
            said=found.said,
        )
        return text

    @property
    def reason_codes(self) -> frozenset[str]:
        return frozenset(self.entries["reasons"])


def language_of(asked: str | None, *preferred: str | None) -> str:
    """The language asked for (UnknownLanguage if there is no catalogue for it), else the first of
    `preferred` that has one, else Spanish."""
    if asked is not None:
        if asked not in LANGUAGES:
            raise UnknownLanguage(asked)
        return asked
    return next((p for p in preferred if p in LANGUAGES), DEFAULT_LANGUAGE)


@cache
def catalogue(language: str) -> Catalogue:
    """The language's catalogue, read once per process."""
    if language not in LANGUAGES:
        raise UnknownLanguage(language)
    entries = json.loads(raw_catalogue(language))
    return Catalogue(language, entries, Formats.of(entries["format"]))


def raw_catalogue(language: str) -> str:
    return resources.files("prorata.domain.receipts").joinpath(f"text/{language}.json").read_text("utf-8")
