"""A receipt's words in es, ca, fr and en: catalogues that are data, with the same keys in every language,
every bank reason code explained with what to do, and numbers and dates written as each language does."""

from __future__ import annotations

import json
import re
import string
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from prorata.domain.community.model import UnitKind
from prorata.domain.receipts.catalogue import (
    LANGUAGES,
    UnknownLanguage,
    catalogue,
    language_of,
    raw_catalogue,
)
from prorata.domain.receipts.document import PaymentMethod
from prorata.domain.receipts.lifecycle import EventType, ReceiptStatus
from prorata.domain.settlement.request import FixedKey, Service
from prorata.domain.settlement.result import Part

SEPA_CODES = [
    *("AC01", "AC04", "AC06", "AG01", "AG02", "AM04", "AM05", "BE05", "CNOR", "DNOR", "FF01", "MD01"),
    *("MD02", "MD06", "MD07", "MS02", "MS03", "RC01", "RR01", "RR02", "RR03", "RR04", "SL01"),
]


def keys(entries: Any, prefix: str = "") -> set[str]:
    if isinstance(entries, dict):
        return {k for name, value in entries.items() for k in keys(value, f"{prefix}{name}.")} | {prefix}
    return {prefix}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_catalogue_has_exactly_the_same_keys() -> None:
    found = {language: keys(json.loads(raw_catalogue(language))) for language in LANGUAGES}
    assert all(found[language] == found["es"] for language in LANGUAGES), {
        language: found[language] ^ found["es"] for language in LANGUAGES
    }


def test_every_label_takes_the_same_placeholders_in_every_language() -> None:
    spanish = catalogue("es").entries["labels"]
    for language in LANGUAGES:
        labels = catalogue(language).entries["labels"]
        assert {k: placeholders(v) for k, v in labels.items()} == {
            k: placeholders(v) for k, v in spanish.items()
        }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sepa_reason_code_is_explained_with_what_to_do(language: str) -> None:
    text = catalogue(language)
    assert set(SEPA_CODES) <= text.reason_codes
    for code in SEPA_CODES:
        reason = text.reason(code)
        assert reason.meaning
        assert reason.todo
        assert reason.meaning != reason.todo
    unknown = text.reason("ZZ99")
    assert "ZZ99" in unknown.meaning


@pytest.mark.parametrize(
    ("language", "money", "negative", "day", "quantity"),
    [
        ("es", "1.234,56\u00a0€", "-0,05\u00a0€", "31/03/2026", "1.401,002"),
        ("ca", "1.234,56\u00a0€", "-0,05\u00a0€", "31/03/2026", "1.401,002"),
        ("fr", "1\u00a0234,56\u00a0€", "-0,05\u00a0€", "31/03/2026", "1\u00a0401,002"),
        ("en", "€1,234.56", "-€0.05", "31 Mar 2026", "1,401.002"),
    ],
)
def test_numbers_and_dates_are_written_as_the_language_writes_them(
    language: str, money: str, negative: str, day: str, quantity: str
) -> None:
    formats = catalogue(language).formats
    assert formats.money(Decimal("1234.56"), "EUR") == money
    assert formats.money(Decimal("-0.05"), "EUR") == negative
    assert formats.date(date(2026, 3, 31)) == day
    assert formats.number(Decimal("1401.002")) == quantity
    assert formats.number(Decimal("1234567.5"), 2).startswith("1")


def test_a_rate_shows_two_to_four_decimals_rounded_half_up() -> None:
    formats = catalogue("es").formats
    assert formats.rate(Decimal(7), "EUR") == "7,00\u00a0€"
    assert formats.rate(Decimal("0.45215"), "EUR") == "0,4522\u00a0€"
    assert formats.rate(Decimal("0.125"), "EUR") == "0,125\u00a0€"


def test_percentages_are_whole_and_rounded_half_up() -> None:
    assert catalogue("es").formats.percent(Decimal("14.5")) == "15\u00a0%"
    assert catalogue("en").formats.percent(Decimal("-14.49")) == "14%"


def test_no_minus_zero_and_other_currencies_by_their_code() -> None:
    assert catalogue("es").formats.money(Decimal("-0.001"), "EUR") == "0,00\u00a0€"
    assert catalogue("en").formats.money(Decimal(12), "CHF") == "CHF\u00a012.00"
    assert catalogue("es").formats.money(Decimal(12), "CHF") == "12,00\u00a0CHF"


def test_the_language_asked_for_wins_then_the_reader_s_then_spanish() -> None:
    assert language_of("fr", "ca", "en") == "fr"
    assert language_of(None, None, "ca") == "ca"
    assert language_of(None, "de", None) == "es"
    with pytest.raises(UnknownLanguage):
        language_of("de")
    with pytest.raises(UnknownLanguage):
        catalogue("de")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_status_event_part_basis_service_kind_and_method_has_a_name(language: str) -> None:
    text = catalogue(language)
    names = [
        *(text.status(s.value) for s in ReceiptStatus),
        *(text.event(e.value) for e in EventType),
        *(text.service(s.value) for s in Service),
        *(text.kind(k.value) for k in UnitKind),
        *(text.method(m.value) for m in PaymentMethod),
    ]
    assert all(names)
    bases = [*(k.value for k in FixedKey), "consumption", "tariff"]
    assert all(text.entries["bases"].get(b) for b in bases)
    assert all(text.entries["parts"].get(p.value) for p in Part)


# What a resident would read as prorata (or the manager) acting by itself: a collection promised, a fix
# promised. prorata presents a returned receipt again only when a manager makes a remittance naming it.
PROMISES = {
    "es": (
        r"se presentará",
        r"presentará el recibo",
        r"se cobrará",
        r"su administrador (?:lo )?(?:corregirá|resolverá|completará)",
        r"no tiene que hacer nada",
    ),
    "ca": (
        r"es tornarà a presentar",
        r"tornarà a presentar",
        r"es cobrarà",
        r"(?:corregirà|resoldrà|completarà)",
        r"no cal que feu res",
    ),
    "fr": (
        r"sera présenté",
        r"présentera",
        r"sera prélevé",
        r"(?:corrigera|réglera|complétera)",
        r"vous n'avez rien à faire",
    ),
    "en": (r"will be collected", r"will collect", r"manager will", r"nothing to do on your side"),
}
WAY_OUT = {
    "es": ("administrador", "transferencia"),
    "ca": ("administrador", "transferència"),
    "fr": ("syndic", "virement"),
    "en": ("property manager", "bank transfer"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_reason_text_promises_an_action_nobody_takes_and_each_says_what_to_do(language: str) -> None:
    text = catalogue(language)
    for code in sorted(text.reason_codes | {"ZZ99"}):
        todo = text.reason(code).todo
        promised = [p for p in PROMISES[language] if re.search(p, todo, re.IGNORECASE)]
        assert not promised, (code, todo)
        assert any(way in todo for way in WAY_OUT[language]), (code, todo)
