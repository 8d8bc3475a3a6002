"""What banks' files say, read as they lay it out: reasons given at any level of a status report or in
several `StsRsnInf`, proprietary reasons, every version of pain.002 and camt.054 whose paths are the
ones read, entries of several notifications, a debit inside a credit booked net, reversals, the
account's movements that are no collection, batches with their count and sum; and the trees no bank
file is (nested too deep, too many elements), refused while read."""

from __future__ import annotations

import pytest

from prorata.adapters.sepa import xml_document
from prorata.adapters.sepa.bank_files import DefusedXmlBankFileReader
from prorata.domain.collection.bank_report import BankOutcome, UnreadableBankFile
from tests.bank_samples import Booked, Booking, Debit, camt054, spanish_pain002

READ = DefusedXmlBankFileReader().read
MESSAGE = "PRT-000001-1234567890ab"
DAY = "2026-12-16"


def status_report(debits: list[Debit], **asked: str) -> str:
    return spanish_pain002(MESSAGE, debits, collection_date=DAY, **asked)


def test_the_reason_code_is_found_in_any_status_reason_and_the_rest_kept_in_the_note() -> None:
    report = status_report([Debit("C-1", "1.00", reason="AM04")])
    several = report.replace(
        "<StsRsnInf>", "<StsRsnInf><AddtlInf>DEVOLUCION POR SALDO</AddtlInf></StsRsnInf><StsRsnInf>", 1
    )
    (tx,) = READ(several.encode()).transactions
    assert (tx.outcome, tx.reason, tx.note) == (BankOutcome.REJECTED, "AM04", "DEVOLUCION POR SALDO")


@pytest.mark.parametrize(
    ("proprietary", "reason", "note"),
    [
        ("AM04", "AM04", "reason AM04"),
        ("md06", "MD06", "reason md06"),
        ("SALDO-INSUF", None, "reason SALDO-INSUF"),
    ],
)
def test_a_proprietary_reason_that_is_an_iso_code_is_taken_as_one(
    proprietary: str, reason: str | None, note: str
) -> None:
    (tx,) = READ(status_report([Debit("C-1", "1.00", proprietary=proprietary)]).encode()).transactions
    assert (tx.reason, tx.note) == (reason, note)


def test_a_block_or_group_reason_is_each_transactions_reason_when_it_gives_none() -> None:
    report = status_report([Debit("C-1", "1.00"), Debit("C-2", "2.00", information="cuenta cancelada")])
    report = report.replace(
        "<PmtInfSts>PART</PmtInfSts>",
        "<PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>",
    )
    report = report.replace("<TxSts>RJCT</TxSts>", "")  # the block's status is theirs
    first, second = READ(report.encode()).transactions
    assert (first.outcome, first.reason, first.note) == (BankOutcome.REJECTED, "AC04", None)
    assert (second.outcome, second.reason, second.note) == (BankOutcome.REJECTED, "AC04", "cuenta cancelada")


@pytest.mark.parametrize(
    "version",
    [
        "pain.002.001.03",
        "pain.002.001.05",
        "pain.002.001.10",
        "pain.002.001.14",
        "pain.002.002.03",
        "pain.002.003.03",
    ],
)
def test_every_pain002_version_with_the_same_paths_is_read(version: str) -> None:
    report = READ(status_report([Debit("C-1", "1.00", reason="MS02")], version=version).encode())
    assert report.format == version
    assert [(t.end_to_end_id, t.reason) for t in report.transactions] == [("C-1", "MS02")]


@pytest.mark.parametrize(
    ("namespace", "said"),
    [
        ("pain.002.001.02", "pain.002.001.03 to .001.14 are read"),
        ("camt.054.001.01", "camt.054.001.02 to .001.13 are read"),
        ("camt.052.001.02", "intraday account report"),
        ("pain.001.001.03", "credit transfer order"),
        ("pacs.002.001.10", "pacs.002.001.10, an ISO 20022 message prorata does not read"),
    ],
)
def test_other_messages_and_versions_are_refused_saying_what_they_are(namespace: str, said: str) -> None:
    content = status_report([Debit("C-1", "1.00")]).replace("pain.002.001.03", namespace)
    with pytest.raises(UnreadableBankFile, match=said.replace(".", r"\.")):
        READ(content.encode())


@pytest.mark.parametrize("version", ["02", "04", "06", "08", "10"])
def test_every_camt054_version_is_read_entry_by_entry_of_every_notification(version: str) -> None:
    content = camt054(version, [Booking("1.00", details=(Booked("C-1", "1.00"),))])
    second = content[content.index("<Ntfctn>") : content.index("</Ntfctn>") + len("</Ntfctn>")]
    second = second.replace("C-1", "C-2").replace("BOOK", "PDNG")
    content = content.replace("</Ntfctn>", "</Ntfctn>" + second, 1)
    report = READ(content.encode())
    assert report.format == f"camt.054.001.{version}"
    assert [(t.end_to_end_id, t.outcome, t.amount_cents) for t in report.transactions] == [
        ("C-1", BankOutcome.BOOKED, 100),
        ("C-2", BankOutcome.PENDING, 100),
    ]


def test_the_direction_of_money_says_what_was_returned_not_the_reversal_mark() -> None:
    net = Booking("5.00", details=(Booked("C-1", "10.00"), Booked("C-2", "5.00", debit=True)))
    reversed_credit = Booking("3.00", credit=False, reversal=True, details=(Booked("C-3", "3.00"),))
    reversed_debit = Booking("4.00", credit=True, reversal=True, details=(Booked("C-4", "4.00"),))
    content = camt054("08", [net, reversed_credit, reversed_debit])
    outcomes = {t.end_to_end_id: t.outcome for t in READ(content.encode()).transactions}
    assert outcomes == {
        "C-1": BankOutcome.BOOKED,
        "C-2": BankOutcome.RETURNED,  # a debit inside a credit booked net
        "C-3": BankOutcome.RETURNED,  # a debit undoing a collection's credit
        "C-4": BankOutcome.BOOKED,  # a credit undoing a debit is no return
    }


def test_movements_whose_bank_code_is_no_collection_are_not_read_as_collections() -> None:
    content = camt054(
        "08",
        [
            Booking("1.00", details=(Booked("C-1", "1.00"),)),  # PMNT/IDDT/ESDD
            Booking("2.00", family="RDDT", details=(Booked("C-2", "2.00"),)),  # as some banks code it
            Booking("3.00", family="RCDT", sub_family="ESCT", details=(Booked("C-3", "3.00"),)),
            Booking("4.00", credit=False, family="ICDT", sub_family="ESCT", details=(Booked("C-4", "4.00"),)),
            Booking("0.50", credit=False, sub_family="CHRG", details=(Booked("C-5", "0.50"),)),
            Booking("0.60", credit=False, domain="ACMT", family="MDOP", details=(Booked("C-6", "0.60"),)),
            Booking("5.00", family="CCRD", sub_family="POSD", details=(Booked("C-7", "5.00"),)),
        ],
    )
    proprietary_only = content.replace(
        "<Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>", ""
    )
    assert [t.end_to_end_id for t in READ(content.encode()).transactions] == ["C-1", "C-2"]
    assert [t.end_to_end_id for t in READ(proprietary_only.encode()).transactions] == ["C-1", "C-2", "C-3"]


def test_a_batch_booked_as_one_sum_says_its_count_and_sum() -> None:
    one_sum = Booking("925.00", batch_message=MESSAGE, batch_block=f"{MESSAGE}-RCUR", batch_count=2)
    totalled = Booking("540.00", batch_message=MESSAGE, batch_count=1, batch_total="540.00", status="PDNG")
    first, second = READ(camt054("02", [one_sum, totalled]).encode()).transactions
    assert (first.outcome, first.message_id, first.payment_information_id) == (
        BankOutcome.BOOKED,
        MESSAGE,
        f"{MESSAGE}-RCUR",
    )
    assert (first.count, first.amount_cents, first.end_to_end_id) == (2, 92500, None)
    assert (second.outcome, second.count, second.amount_cents) == (BankOutcome.PENDING, 1, 54000)


def test_trees_no_bank_file_has_are_refused_while_read(monkeypatch: pytest.MonkeyPatch) -> None:
    report = status_report([Debit("C-1", "1.00", reason="AM04")])
    nested = report.replace("</Dbtr>", "<x>" * 80 + "</x>" * 80 + "</Dbtr>")
    with pytest.raises(UnreadableBankFile, match="nested more than 64 levels"):
        READ(nested.encode())
    monkeypatch.setattr(xml_document, "MAX_ELEMENTS", 50)
    with pytest.raises(UnreadableBankFile, match="more than 50 XML elements"):
        READ(report.encode())
