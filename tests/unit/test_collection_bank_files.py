"""Bank files read with defusedxml: what pain.002 and camt.054 (.001.02, .001.08) say about each
transaction, and the files refused — entity tricks unread, other namespaces, truncated files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from prorata.adapters.sepa.bank_files import DefusedXmlBankFileReader
from prorata.domain.collection.bank_report import BankOutcome, UnreadableBankFile
from tests.bank_files import BILLION_LAUGHS, Entry, Status, Tx, camt054, external_entity, pain002

READ = DefusedXmlBankFileReader().read
MESSAGE = "PRT-000001-1234567890ab"


def test_a_status_report_gives_each_rejection_with_its_reason_and_each_acceptance() -> None:
    report = READ(
        pain002(
            MESSAGE,
            [Status("C-1", "RJCT", "AM04", information="saldo insuficiente"), Status("C-2", "ACCP")],
        )
    )
    assert (report.format, report.message_id, report.created_on) == (
        "pain.002.001.03", "BANK-PAIN002-1", date(2026, 5, 5),
    )  # fmt: skip
    rejected, accepted = report.transactions
    assert (rejected.outcome, rejected.end_to_end_id, rejected.reason) == (
        BankOutcome.REJECTED,
        "C-1",
        "AM04",
    )
    assert (rejected.message_id, rejected.payment_information_id) == (MESSAGE, f"{MESSAGE}-FRST")
    assert rejected.note == "saldo insuficiente"
    assert rejected.amount_cents == 1
    assert (accepted.outcome, accepted.status, accepted.reason) == (BankOutcome.ACCEPTED, "ACCP", None)


def test_a_remittance_rejected_whole_is_one_batch_outcome_with_the_groups_reason() -> None:
    report = READ(pain002(MESSAGE, [], group_status="RJCT", group_reason="FF01"))
    (whole,) = report.transactions
    assert (whole.outcome, whole.end_to_end_id, whole.message_id, whole.reason) == (
        BankOutcome.REJECTED, None, MESSAGE, "FF01",
    )  # fmt: skip


def test_a_proprietary_reason_is_kept_in_the_note_not_as_a_code() -> None:
    content = pain002(MESSAGE, [Status("C-1", "RJCT", "AM04")]).replace(
        b"<Rsn><Cd>AM04</Cd></Rsn>", b"<Rsn><Prtry>SALDO-INSUF</Prtry></Rsn>"
    )
    (tx,) = READ(content).transactions
    assert (tx.reason, tx.note) == (None, "reason SALDO-INSUF")


@pytest.mark.parametrize("version", ["02", "08"])
def test_a_notification_gives_booked_collections_and_returns_with_their_reasons(version: str) -> None:
    report = READ(
        camt054(
            version,
            [
                Entry("540.00", transactions=[Tx("C-1", "540.00", message_id=MESSAGE)]),
                Entry(
                    "385.05", credit=False, booked_on="2026-05-08", transactions=[Tx("C-2", "385.05", "MD06")]
                ),
                Entry("10.00", status="PDNG", transactions=[Tx("C-3", "10.00")]),
            ],
        )
    )  # fmt: skip
    assert report.format == f"camt.054.001.{version}"
    booked, returned, pending = report.transactions
    assert (booked.outcome, booked.end_to_end_id, booked.message_id) == (BankOutcome.BOOKED, "C-1", MESSAGE)
    assert (booked.on, booked.amount_cents) == (date(2026, 5, 4), 54000)
    assert (returned.outcome, returned.reason, returned.on) == (
        BankOutcome.RETURNED,
        "MD06",
        date(2026, 5, 8),
    )
    assert returned.amount_cents == 38505
    assert returned.note == "devolucion"
    assert pending.outcome is BankOutcome.PENDING


@pytest.mark.parametrize("version", ["02", "08"])
def test_a_remittance_booked_as_one_sum_is_one_batch_outcome(version: str) -> None:
    (batch,) = READ(camt054(version, [Entry("925.05", batch=MESSAGE)])).transactions
    assert (batch.outcome, batch.end_to_end_id, batch.message_id) == (BankOutcome.BOOKED, None, MESSAGE)
    assert batch.amount_cents == 92505


def test_entity_tricks_are_refused_before_any_entity_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the community's bank password")
    for content in (BILLION_LAUGHS, external_entity(str(secret))):
        with pytest.raises(UnreadableBankFile, match="DTD or XML entities") as refused:
            READ(content)
        assert "password" not in str(refused.value)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "empty"),
        (pain002(MESSAGE, [Status("C-1")])[:-40], "not well-formed XML.*truncated"),
        (b"Piso;Lectura\n1A;12\n", "not XML"),
        (camt054("02", []).replace(b"camt.054.001.02", b"camt.053.001.02"), "camt.053.001.02"),
        (camt054("02", []).replace(b"camt.054.001.02", b"pain.008.001.02"), "pain.008.001.02"),
        (pain002(MESSAGE, []).replace(b"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", b"urn:x"), "urn:x"),
        (b'<?xml version="1.0"?><Document><CstmrPmtStsRpt/></Document>', "no namespace"),
        (b'<Report xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"/>', "not an ISO 20022 <Document>"),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"/>', "no <CstmrPmtStsRpt>"),
    ],
)
def test_what_is_no_bank_report_read_here_is_refused_saying_what_it_is(content: bytes, said: str) -> None:
    with pytest.raises(UnreadableBankFile, match=said):
        READ(content)
