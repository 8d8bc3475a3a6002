"""The notes prorata writes on a receipt's history are said in the reader's language; anyone else's note
is shown as its author wrote it. A return after payment is a refund."""

from __future__ import annotations

from datetime import date

import pytest

from prorata.domain.receipts.catalogue import catalogue
from prorata.domain.receipts.lifecycle import EventType, ReceiptStatus, refunds
from prorata.domain.receipts.notes import bank_file_note, presented_note, withdrawn_note
from tests import receipt_samples as sample

COLLECTION = date(2026, 12, 7)
ID = "PRT-000001-3f2a9c0d1e4b"


@pytest.mark.parametrize(
    ("language", "presented", "withdrawn"),
    [
        ("es", f"Remesa {ID}: cargo el 07/12/2026", f"Remesa {ID} anulada antes de su fecha de cargo"),
        ("ca", f"Remesa {ID}: càrrec el 07/12/2026", f"Remesa {ID} anul·lada abans de la data de càrrec"),
        ("fr", f"Remise {ID} : prélèvement le 07/12/2026",
         f"Remise {ID} annulée avant sa date de prélèvement"),
        ("en", f"Remittance {ID}: debit on 7 Dec 2026", f"Remittance {ID} cancelled before its debit date"),
    ],
)  # fmt: skip
def test_a_remittance_s_notes_are_said_in_the_reader_s_language(
    language: str, presented: str, withdrawn: str
) -> None:
    words = catalogue(language)
    assert words.note(presented_note(ID, COLLECTION)) == presented
    assert words.note(withdrawn_note(ID)) == withdrawn


def test_a_bank_file_s_note_keeps_the_bank_s_own_words() -> None:
    note = bank_file_note("pain.002.001.03", "BANK-0001", "Saldo insuficiente: AM04")
    assert catalogue("fr").note(note) == (
        "Fichier de la banque pain.002.001.03 BANK-0001 ; la banque indique : Saldo insuficiente: AM04"
    )
    assert catalogue("en").note(bank_file_note("camt.054.001.08", None, None)) == "Bank file camt.054.001.08"


def test_a_note_someone_else_wrote_is_shown_as_written() -> None:
    for note in ("cobrado en ventanilla", "remittance of March: collection on Monday", "camt.054 by hand"):
        assert catalogue("en").note(note) == note


def test_only_a_return_of_a_paid_collection_is_a_refund() -> None:
    s, e = ReceiptStatus, EventType
    history = (
        sample.event(1, e.ISSUED, s.ISSUED, sample.ISSUED),
        sample.event(2, e.PRESENTED, s.IN_COLLECTION, date(2026, 4, 10)),
        sample.event(3, e.RETURNED, s.RETURNED, date(2026, 4, 14), "AM04"),
        sample.event(4, e.REPRESENTED, s.IN_COLLECTION, date(2026, 4, 20)),
        sample.event(5, e.PAID, s.PAID, date(2026, 5, 4)),
        sample.event(6, e.RETURNED, s.RETURNED, date(2026, 5, 20), "MD06"),
    )
    assert refunds(reversed(history)) == {"e-6"}
