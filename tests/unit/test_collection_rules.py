"""Which receipts a remittance may hold, how its transactions are named, FRST or RCUR, and when it may
still be cancelled."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from prorata.domain.collection.remittance import (
    CollectionRefused,
    Creditor,
    Exclusion,
    ItemOutcome,
    Remittance,
    RemittanceItem,
    RemittanceStatus,
    Scheme,
    SequenceType,
)
from prorata.domain.collection.rules import (
    can_cancel,
    exclusion,
    is_sepa_id,
    message_id,
    payment_information_id,
    remittance_information,
    sequence_type,
)
from prorata.domain.community.model import Resident
from prorata.domain.receipts.lifecycle import ReceiptStatus as S
from prorata.domain.receipts.receipt import IssuedReceipt

COLLECTION = date(2026, 5, 4)
RECEIPT = IssuedReceipt("r1", "t1", "s1", "u1", "C0012-00001-0001", 54000, "EUR", {}, S.ISSUED)
PAYER = Resident(
    "p1", "t1", "Rosa Díaz", iban="ES7421000000610123456789", mandate_id="M-1",
    mandate_signed_on=date(2024, 5, 1),
)  # fmt: skip


def test_a_receipt_with_a_payer_iban_and_mandate_can_be_collected_issued_or_returned() -> None:
    assert exclusion(RECEIPT, PAYER, True, COLLECTION) is None
    assert exclusion(replace(RECEIPT, status=S.RETURNED), PAYER, True, COLLECTION) is None


@pytest.mark.parametrize(
    ("receipt", "payer", "valid", "why"),
    [
        (replace(RECEIPT, status=S.IN_COLLECTION), PAYER, True, Exclusion.NOT_COLLECTABLE),
        (replace(RECEIPT, status=S.PAID), PAYER, True, Exclusion.NOT_COLLECTABLE),
        (replace(RECEIPT, currency="GBP"), PAYER, True, Exclusion.NOT_IN_EUROS),
        (replace(RECEIPT, total_cents=0), PAYER, True, Exclusion.NOTHING_TO_COLLECT),
        (replace(RECEIPT, number="C" * 36), PAYER, True, Exclusion.NUMBER_NOT_SEPA),
        (replace(RECEIPT, number="CP_12-1"), PAYER, True, Exclusion.NUMBER_NOT_SEPA),
        (RECEIPT, None, False, Exclusion.NO_PAYER),
        (RECEIPT, replace(PAYER, iban=None), False, Exclusion.NO_IBAN),
        (RECEIPT, PAYER, False, Exclusion.INVALID_IBAN),
        (RECEIPT, replace(PAYER, mandate_id=None), True, Exclusion.NO_MANDATE),
        (RECEIPT, replace(PAYER, mandate_signed_on=None), True, Exclusion.NO_MANDATE),
        (RECEIPT, replace(PAYER, mandate_id="M_1#"), True, Exclusion.INVALID_MANDATE),
        (RECEIPT, replace(PAYER, mandate_id="MANDATO ÑÚ & Co"), True, Exclusion.INVALID_MANDATE),
        (RECEIPT, replace(PAYER, mandate_id="M//1"), True, Exclusion.INVALID_MANDATE),
        (RECEIPT, replace(PAYER, mandate_signed_on=date(2026, 5, 5)), True, Exclusion.INVALID_MANDATE),
    ],
)
def test_a_receipt_that_cannot_be_collected_is_excluded_with_its_reason(
    receipt: IssuedReceipt, payer: Resident | None, valid: bool, why: Exclusion
) -> None:
    assert exclusion(receipt, payer, valid, COLLECTION) is why


def item(mandate: str, outcome: ItemOutcome | None, open: bool | None = None) -> RemittanceItem:
    return RemittanceItem(
        "i", "t1", "rem", "r0", "N-1", 100, SequenceType.FRST, "p1", "Rosa", "ES74…", mandate,
        date(2024, 5, 1), "text", "e1", open=open, outcome=outcome,
    )  # fmt: skip


def test_a_mandates_first_collection_is_frst_and_the_next_ones_rcur() -> None:
    assert sequence_type("M-1", []) is SequenceType.FRST
    assert sequence_type("M-1", [item("M-2", ItemOutcome.PAID)]) is SequenceType.FRST
    for outcome in (ItemOutcome.PAID, ItemOutcome.RETURNED, None):
        assert sequence_type("M-1", [item("M-1", outcome, open=outcome is None)]) is SequenceType.RCUR
    # one rejected before settlement, or withdrawn with its remittance, never reached the debtor's bank
    for outcome in (ItemOutcome.REJECTED, ItemOutcome.WITHDRAWN):
        assert sequence_type("M-1", [item("M-1", outcome)]) is SequenceType.FRST


def test_sepa_identifiers_are_35_of_the_allowed_characters_at_most() -> None:
    assert is_sepa_id("C0012-00001-0001")
    assert is_sepa_id("A/B?:().,'+ 9")
    assert not is_sepa_id("x" * 36)
    assert not is_sepa_id("á-1")
    assert not is_sepa_id("/A")
    assert not is_sepa_id("A//B")


def test_message_and_payment_block_ids_fit_their_35_characters() -> None:
    message = message_id(123, "0190f3a2-7b1c-7d4e-9f00-1234567890ab")
    assert message == "PRT-000123-1234567890ab"
    assert payment_information_id(message, SequenceType.RCUR) == "PRT-000123-1234567890ab-RCUR"
    assert len(message_id(999_999_999, "f" * 36)) <= 35


def test_the_remittance_information_names_community_service_period_and_receipt_within_140() -> None:
    text = remittance_information(
        "CP Calle Mayor 12", "Calefacción", "01/01/2026-31/03/2026", "Recibo", "C-1"
    )
    assert text == "CP Calle Mayor 12 Calefacción 01/01/2026-31/03/2026 Recibo C-1"
    long = remittance_information("C" * 200, "Calefacción", "01/01/2026-31/03/2026", "Recibo", "C0012-1")
    assert len(long) == 140
    assert long.endswith("Calefacción 01/01/2026-31/03/2026 Recibo C0012-1")


def remittance(status: RemittanceStatus = RemittanceStatus.OPEN) -> Remittance:
    return Remittance(
        "rem", "t1", "c1", 1, "PRT-000001-x", Scheme.CORE, COLLECTION, datetime(2026, 4, 20, tzinfo=UTC),
        "manager", 1, 100, "EUR", Creditor("CP", "ES91…", None, "ES97000B12345678"), status=status,
    )  # fmt: skip


def test_a_remittance_may_be_cancelled_while_open_and_before_its_collection_date() -> None:
    can_cancel(remittance(), date(2026, 5, 3))
    with pytest.raises(CollectionRefused) as reached:
        can_cancel(remittance(), COLLECTION)
    assert reached.value.code == "collection_date_reached"
    with pytest.raises(CollectionRefused) as cancelled:
        can_cancel(remittance(RemittanceStatus.CANCELLED), date(2026, 4, 21))
    assert cancelled.value.code == "remittance_not_open"
