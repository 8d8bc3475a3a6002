"""The borb receipt renderer, on the real library and fonts: in every language its PDF shows every reading,
every line amount, the total, the status and the IBAN masked, never whole; € and accents survive; it prints
nothing, sends nothing, and keeps nothing in memory after each document."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from prorata.adapters.pdf.blocks import clean, printable
from prorata.adapters.pdf.receipt_pdf import BorbReceiptRenderer
from prorata.domain.receipts.build import build_document
from prorata.domain.receipts.catalogue import LANGUAGES, catalogue, raw_catalogue
from prorata.domain.receipts.document import MeterRow
from tests import receipt_samples as sample
from tests.pdf_text import flowing, pdf_text

RENDERER = BorbReceiptRenderer()
FULL_IBANS = (sample.IBAN, "ES91 2100 0418 4502 0005 1332", "2100 0418", "21000418")
# What each language calls what the receipt shows, as a person reads it.
WORDS = {
    "es": ("Recibo", "Emitido", "Devuelto", "Cálculo del importe", "540,00 €", "1.234,5", "Rosa Díaz Muñoz"),
    "ca": ("Rebut", "Emès", "Retornat", "Càlcul de l'import", "540,00 €", "1.234,5", "Rosa Díaz Muñoz"),
    "fr": ("Relevé de charges", "Émis", "Rejeté", "Échéance", "540,00 €", "1 234,5", "Rosa Díaz Muñoz"),
    "en": (
        "Receipt",
        "Issued",
        "Returned",
        "How the amount is worked out",
        "€540.00",
        "1,234.5",
        "Rosa Díaz Muñoz",
    ),
}


def rendered(language: str, facts: Any = None) -> str:
    document = build_document(facts or sample.facts())
    return pdf_text(RENDERER.render(document, catalogue(language)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_shows_every_reading_line_total_and_status_in_each_language(language: str) -> None:
    text = rendered(language)
    formats = catalogue(language).formats
    document = sample.document()
    for meter in document.meters:
        for value in (meter.previous, meter.current, meter.consumption):
            assert value is not None
            assert formats.number(value).replace("\xa0", " ") in text
        assert meter.current_on is not None
        assert formats.date(meter.current_on) in text
    for line in document.lines:
        assert formats.money(line.amount, "EUR").replace("\xa0", " ") in text
        assert line.rate is not None
        assert formats.rate(line.rate, "EUR").replace("\xa0", " ") in text
    title, issued, _, section, total, reading, name = WORDS[language]
    for expected in (title, issued, section, total, reading, name, sample.receipt().number):
        assert expected in text, expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_iban_shows_masked_and_never_whole(language: str) -> None:
    text = rendered(language)
    assert "ES91 **** **** **** **** 1332" in text
    assert "M-0001" in text
    squeezed = text.replace(" ", "")
    assert not any(whole.replace(" ", "") in squeezed for whole in FULL_IBANS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_returned_receipt_says_why_in_plain_words_and_what_to_do(language: str) -> None:
    text = flowing(rendered(language, sample.returned_facts()))
    reason = catalogue(language).reason("AM04")
    assert WORDS[language][2] in text
    assert flowing(reason.meaning) in text
    assert flowing(reason.todo) in text
    assert catalogue(language).formats.date(date(2026, 4, 10)) in text  # the debit date


def test_the_comparison_is_told_in_figures_and_words() -> None:
    text = flowing(rendered("en"))
    assert "Same period last year" in text
    assert "you consumed 52.5: this is 14% more" in text
    assert "a unit of 80 m² in your community consumed 50: you consumed 20% more" in text


def texts(entries: Any) -> list[str]:
    if isinstance(entries, dict):
        return [text for value in entries.values() for text in texts(value)]
    if isinstance(entries, list):
        return [text for value in entries for text in texts(value)]
    return [str(entries)]


def test_every_character_of_every_catalogue_is_in_the_embedded_font() -> None:
    for language in LANGUAGES:
        used = set("".join(texts(json.loads(raw_catalogue(language)))))
        assert used - printable() == set(), language


def test_names_in_other_scripts_are_printed_as_near_as_the_font_allows() -> None:
    payer = sample.owner(name="Łukasz Żółć 王")
    text = rendered("es", sample.facts(payer=payer))
    assert "Lukasz Zólc ?" in text
    assert clean("Ţară\tşi\nmai") == "Tara si mai"


def test_a_receipt_with_many_meters_runs_over_pages_and_shows_them_all() -> None:
    meters = tuple(
        MeterRow(f"RAD-{i:02d}", Decimal(i), None, Decimal(i + 10), None, Decimal("0.5"), Decimal(5))
        for i in range(60)
    )
    document = replace(sample.document(), meters=meters)
    text = pdf_text(RENDERER.render(document, catalogue("es")))
    assert all(f"RAD-{i:02d}" in text for i in range(60))
    assert "Página 2 de" in text


def test_rendering_prints_nothing_even_past_borbs_64th_document(capsys: pytest.CaptureFixture[str]) -> None:
    document = replace(sample.document(), meters=(), comparison=None, history=())
    for _ in range(70):
        assert RENDERER.render(document, catalogue("en")).startswith(b"%PDF")
    assert capsys.readouterr().out == ""


def test_rendering_sends_nothing_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"rendering tried to connect: {args}")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    assert RENDERER.render(sample.document(), catalogue("fr")).startswith(b"%PDF")
