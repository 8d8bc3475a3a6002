"""The words of a notification: one catalogue per language (text/xx.json, data rather than code), with
the amounts, dates, service names and bank reasons written as the receipt writes them (the receipt
catalogues of domain/receipts: one way to write 1.234,56 € per language, one plain-words list of bank
reasons).

A message is made in every language — the resident's first — as OneSignal shows the device's language
when it has it and falls back to `en`, which it requires."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from prorata.domain.money import from_cents
from prorata.domain.notifications.model import NotificationKind
from prorata.domain.receipts.catalogue import LANGUAGES, catalogue, language_of


@dataclass(frozen=True, slots=True)
class News:
    """What a notification tells of a receipt. `on` is the move's day (presented, paid, returned);
    `debit_on` a collection's debit date, when a remittance set one (of a collection cancelled, the date
    it was to be made); `account` the payer's IBAN, masked; `refund`: a return of a collection already
    paid (told as a refund, not a rejection)."""

    kind: NotificationKind
    number: str
    community: str
    service: str
    period_start: date
    period_end: date
    total_cents: int
    currency: str
    on: date
    due_on: date | None = None
    reason: str | None = None
    mandate: str | None = None
    creditor: str | None = None
    account: str | None = None
    debit_on: date | None = None
    refund: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    heading: str
    content: str


def compose(language: str, news: News) -> Message:
    """The heading and text in one language (es, ca, fr, en)."""
    words = catalogue(language)
    formats = words.formats
    texts = notification_texts(language)
    amount = formats.money(from_cents(news.total_cents), news.currency)
    values: dict[str, Any] = {
        "number": news.number,
        "community": news.community,
        "service": (service := _in_sentence(words.service(news.service))),
        "of_service": _catalan_of(service),
        "period": words(
            "period_range", start=formats.date(news.period_start), end=formats.date(news.period_end)
        ),
        "amount": amount,
        "on": formats.date(news.on),
        "due_on": formats.date(news.due_on) if news.due_on else None,
        "debit_on": formats.date(news.debit_on) if news.debit_on else None,
        "mandate": news.mandate,
        "creditor": news.creditor,
        "account": news.account,
    }
    if news.kind is NotificationKind.RETURNED:
        explained = words.reason(news.reason) if news.reason else None
        values["meaning"] = explained.meaning if explained else texts["no_reason"]["meaning"]
        values["todo"] = explained.todo if explained else texts["no_reason"]["todo"]
    text = texts["refunded" if news.kind is NotificationKind.RETURNED and news.refund else news.kind.value]
    if news.kind is NotificationKind.COLLECTION_CANCELLED and news.debit_on is None:
        values["debit_on"] = values["on"]  # a collection without a known debit date: the day it was sent
    if news.kind is NotificationKind.SENT_FOR_COLLECTION and news.debit_on is None:
        text = texts["presented"]  # a management system's own collection: no debit date known here
    content = text["content"].format(**values)
    for name, clause in text.get("clauses", {}).items():
        if values.get(name):
            content += clause.format(**values)
    return Message(_sentence(text["heading"].format(**values)), _sentence(content))


def _in_sentence(name: str) -> str:
    """A service's name as a word of a sentence: "Agua fría" → "agua fría"; an acronym (ACS) kept."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def _catalan_of(name: str) -> str:
    """Catalan's "de" before the name, elided before a vowel or a mute h: "d'aigua", "de calefacció"."""
    return f"d'{name}" if name[:1].lower() in "aàeèéiíoòóuúh" else f"de {name}"


def _sentence(text: str) -> str:
    """A heading or text starts with a capital, also when it starts with a service's name."""
    return text[:1].upper() + text[1:]


def localized(language: str, news: News) -> tuple[dict[str, str], dict[str, str]]:
    """(headings, contents) by language: the resident's language first (Spanish when hers has no
    catalogue), then the others; `en` always among them."""
    first = language_of(None, language)
    order = [first, *(lang for lang in LANGUAGES if lang != first)]
    messages = {lang: compose(lang, news) for lang in order}
    return {k: m.heading for k, m in messages.items()}, {k: m.content for k, m in messages.items()}


@cache
def notification_texts(language: str) -> dict[str, Any]:
    """The language's notification catalogue, read once per process."""
    if language not in LANGUAGES:
        raise ValueError(f"no notification text in {language!r}")
    raw = resources.files("prorata.domain.notifications").joinpath(f"text/{language}.json")
    texts: dict[str, Any] = json.loads(raw.read_text("utf-8"))
    return texts
