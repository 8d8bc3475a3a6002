"""What a receipt's PDF says of its collection, in the reader's language: the debit date is the
remittance's collection date (as the pre-notification said), not the day the remittance was made; its
history is written in the document's language, not in the words prorata keeps; and a refund after
payment reads as a refund, not as a rejection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from prorata.config.bootstrap import Components
from prorata.domain.receipts.catalogue import LANGUAGES, catalogue
from prorata.entrypoints.cli.main import main
from tests.api_client import Caller
from tests.integration.test_remittances import collecting, remitted, today
from tests.pdf_text import flowing, pdf_text

# How a refund after payment reads, and the words of a rejection it must not read as.
REFUND = {
    "es": ("Reembolsado", "Su banco le reembolsó este cargo"),
    "ca": ("Reemborsat", "El vostre banc us ha reemborsat aquest càrrec"),
    "fr": ("Remboursé", "Votre banque vous a remboursé ce prélèvement"),
    "en": ("Refunded", "Your bank refunded this debit"),
}
REJECTED = {"es": "devolvió", "ca": "ha retornat", "fr": "rejeté", "en": "returned this receipt"}


def pdf(manager: Caller, receipt: dict[str, Any], language: str) -> str:
    response = manager.get(f"/v1/receipts/{receipt['id']}/pdf?lang={language}")
    assert response.status_code == 200, response.get_json()
    return flowing(pdf_text(response.data))


@pytest.fixture
def remittance(manager: Caller, community: dict[str, Any]) -> dict[str, Any]:
    receipts = collecting(manager, community)
    made = remitted(manager, community)
    assert date.fromisoformat(made["collection_date"]) > today()  # at least the pre-notification away
    return {"receipts": receipts, "made": made}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_debit_date_is_the_remittance_s_collection_date_in_every_language(
    manager: Caller, remittance: dict[str, Any], language: str
) -> None:
    text = pdf(manager, remittance["receipts"]["1A"], language)
    words = catalogue(language)
    collection = date.fromisoformat(remittance["made"]["collection_date"])
    assert f"{words('debit_on')}: {words.formats.date(collection)}" in text
    assert f"{words('debit_on')}: {words.formats.date(today())}" not in text


def test_the_command_line_pdf_tells_the_collection_date_too(
    components: Components, remittance: dict[str, Any], tmp_path: Path
) -> None:
    env = {
        "PRORATA_DATA_DIR": str(components.settings.data_dir),
        "PRORATA_DATABASE_URL": components.settings.database_url,
    }
    written = tmp_path / "receipt.pdf"
    receipt = remittance["receipts"]["1B"]
    done = CliRunner().invoke(
        main, ["receipts", "pdf", receipt["id"], "-o", str(written), "--lang", "ca"], env=env
    )
    assert done.exit_code == 0, done.output
    text = flowing(pdf_text(written.read_bytes()))
    collection = date.fromisoformat(remittance["made"]["collection_date"])
    assert f"Data de càrrec: {catalogue('ca').formats.date(collection)}" in text


@pytest.mark.parametrize("language", ["es", "ca", "fr"])
def test_the_history_speaks_the_document_s_language(
    manager: Caller, remittance: dict[str, Any], language: str
) -> None:
    made = remittance["made"]
    receipt = remittance["receipts"]["1A"]
    cancelled = manager.post(f"/v1/remittances/{made['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.get_json()
    text = pdf(manager, receipt, language)
    for english in ("remittance", "collection on", "cancelled before its collection date"):
        assert english not in text, english
    collection = catalogue(language).formats.date(date.fromisoformat(made["collection_date"]))
    assert made["message_id"] in text
    assert collection in text
    history = manager.get(f"/v1/receipts/{receipt['id']}/events?lang={language}").get_json()
    presented, withdrawn = history[-2:]
    assert presented["note"] == f"remittance {made['message_id']}: collection on {made['collection_date']}"
    assert collection in presented["note_text"]
    for entry in (presented, withdrawn):  # the PDF's narrow columns may wrap a note between its words
        assert all(word in text for word in entry["note_text"].split()), entry["note_text"]
    assert history[0]["note_text"] is None


def test_a_refund_after_payment_reads_as_a_refund_in_every_language(
    manager: Caller, remittance: dict[str, Any]
) -> None:
    receipt = remittance["receipts"]["1A"]
    events = f"/v1/receipts/{receipt['id']}/events"
    for move in ({"type": "paid", "on": today().isoformat()},
                 {"type": "returned", "on": today().isoformat(), "reason": "MD06"}):  # fmt: skip
        moved = manager.post(events, move)
        assert moved.status_code == 201, moved.get_json()
    for language in LANGUAGES:
        text = pdf(manager, receipt, language)
        status, notice = REFUND[language]
        assert status in text, language
        assert notice in text, language
        assert flowing(catalogue(language).reason("MD06").meaning) in text
        assert REJECTED[language] not in text, language


def test_a_refund_after_payment_is_told_as_a_refund_and_a_rejection_as_a_rejection(
    manager: Caller, remittance: dict[str, Any], drain: Callable[[], None]
) -> None:
    receipts = remittance["receipts"]
    residents = {r["name"]: r for r in manager.get("/v1/residents").get_json()}
    for name, push in (("Rosa Díaz", "res-rosa"), ("Jordi Puig", "res-jordi")):
        patched = manager.patch(
            f"/v1/residents/{residents[name]['id']}", {"external_id": push, "language": "fr"}
        )
        assert patched.status_code == 200, patched.get_json()
    on = today().isoformat()
    moves = {
        "1A": [{"type": "paid", "on": on}, {"type": "returned", "on": on, "reason": "MD06"}],
        "1B": [{"type": "returned", "on": on, "reason": "AM04"}],  # before it was paid: rejected
    }
    for unit, steps in moves.items():
        for move in steps:
            moved = manager.post(f"/v1/receipts/{receipts[unit]['id']}/events", move)
            assert moved.status_code == 201, moved.get_json()
    drain()
    headings = {}
    for unit in moves:
        listed = manager.get(f"/v1/notifications?receipt_id={receipts[unit]['id']}&event=returned")
        [notification] = listed.get_json()
        headings[unit] = (notification["heading"], notification["content"])
    assert headings["1A"][0].startswith("Prélèvement remboursé")
    assert "remboursé" in headings["1A"][1]
    assert "rejeté" not in " ".join(headings["1A"]).lower()
    assert headings["1B"][0].startswith("Prélèvement rejeté")
