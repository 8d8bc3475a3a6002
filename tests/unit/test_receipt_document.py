"""The receipt document a resident reads, built from the facts gathered for it: every reading with its
date, every line with its rate, who pays and how, and how the consumption compares."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from prorata.domain.community.model import Occupancy, OccupancyRole
from prorata.domain.receipts.build import build_document, reading_dates
from prorata.domain.receipts.document import MeterRow, Payer, Payment, PaymentMethod, ReceiptDocument
from prorata.domain.receipts.facts import average_per_area, payer_of, pool_totals, year_before
from prorata.domain.receipts.lifecycle import EventType, ReceiptStatus
from prorata.domain.settlement.request import Period
from tests import receipt_samples as sample


def test_the_header_says_what_the_receipt_is() -> None:
    header = sample.document().header
    assert (header.number, header.community.name, header.community.tax_id) == (
        "C0012-00007-0001", "CP Calle Mayor 12", "H12345678",
    )  # fmt: skip
    assert (header.unit.code, header.unit.kind, header.unit.coefficient, header.unit.area) == (
        "1A", "dwelling", Decimal("40"), Decimal("80"),
    )  # fmt: skip
    assert header.period == sample.PERIOD
    assert (header.issued_on, header.due_on, header.status_on) == (
        sample.ISSUED,
        date(2026, 4, 17),
        sample.ISSUED,
    )
    assert (header.status, header.currency, header.total) == (ReceiptStatus.ISSUED, "EUR", Decimal("540.00"))


def test_the_payer_shows_the_iban_masked_to_its_last_four() -> None:
    payer = sample.document().header.payer
    assert payer == Payer("Rosa Díaz Muñoz", "ES91 **** **** **** **** 1332", "M-0001")


def test_a_document_refuses_an_iban_that_is_not_masked() -> None:
    with pytest.raises(ValueError, match="masked"):
        Payer("Rosa", "ES91 2100 0418 4502 0005 1332")
    with pytest.raises(ValueError, match="masked"):
        Payment(PaymentMethod.DIRECT_DEBIT, sample.IBAN)


def test_each_reading_is_dated_by_the_meter_readings_the_settlement_read() -> None:
    [meter] = sample.document().meters
    assert meter == MeterRow(
        "HC-1A", Decimal("1234.5"), date(2025, 12, 31), Decimal("1294.5"), date(2026, 3, 30), Decimal(1),
        Decimal(60),
    )  # fmt: skip


def test_a_reading_not_found_among_the_meters_readings_is_dated_by_the_period() -> None:
    assert reading_dates([], sample.PERIOD, Decimal(1), Decimal(2)) == (
        sample.PERIOD.start,
        sample.PERIOD.end,
    )
    other_values = sample.readings()["HC-1A"]
    assert reading_dates(other_values, sample.PERIOD, Decimal(9), Decimal(99)) == (
        sample.PERIOD.start, sample.PERIOD.end,
    )  # fmt: skip


def test_a_unit_without_a_reading_shows_its_estimate_as_such() -> None:
    detail = {**sample.DETAIL, "meters": [], "estimated": True, "consumption": "53.333"}
    document = sample.document(detail=detail)
    assert [(m.serial, m.consumption, m.estimated) for m in document.meters] == [
        (None, Decimal("53.333"), True)
    ]
    assert document.estimated
    assert document.comparison is not None
    assert document.comparison.estimated


def test_every_line_shows_its_weight_the_total_weight_and_the_rate() -> None:
    lines = sample.document().lines
    assert [(ln.part, ln.basis, ln.weight, ln.total_weight, ln.rate, ln.amount) for ln in lines] == [
        ("consumption", "consumption", Decimal(60), Decimal(100), Decimal(7), Decimal("420.00")),
        ("fixed", "coefficient", Decimal(40), Decimal(100), Decimal(3), Decimal("120.00")),
    ]


def test_the_lines_must_add_up_to_the_total() -> None:
    document = sample.document()
    with pytest.raises(ValueError, match="add up"):
        replace(document, lines=document.lines[:1])
    assert sum(line.amount for line in document.lines) == document.total


def test_pool_totals_add_up_every_receipt_s_share_of_each_pool() -> None:
    details = [
        {"lines": [{"amount": "420.00", "weight": "60"}, {"amount": "120.00", "weight": "40"}]},
        {"lines": [{"amount": "280.00", "weight": "40"}, {"amount": "105.00", "weight": "35"}]},
        {"lines": [{"amount": "0.00", "weight": "0"}, {"amount": "75.00", "weight": "25"}]},
    ]
    assert [(p.amount, p.weight) for p in pool_totals(details)] == [
        (Decimal("700.00"), Decimal(100)), (Decimal("300.00"), Decimal(100)),
    ]  # fmt: skip


def test_a_payer_with_iban_and_mandate_pays_by_direct_debit_on_the_day_reported_for_its_collection() -> None:
    document = build_document(sample.returned_facts())  # presented as a management system reported it
    assert document.payment == Payment(
        PaymentMethod.DIRECT_DEBIT, "ES91 **** **** **** **** 1332", "M-0001", date(2026, 4, 10)
    )
    assert document.last_return is not None
    assert document.last_return.reason == "AM04"
    assert [(h.type, h.status) for h in document.history] == [
        (EventType.ISSUED, ReceiptStatus.ISSUED),
        (EventType.PRESENTED, ReceiptStatus.IN_COLLECTION),
        (EventType.RETURNED, ReceiptStatus.RETURNED),
    ]


def test_the_debit_date_of_a_remittance_s_collection_is_its_collection_date_not_the_day_it_was_made() -> None:
    made_on, collected_on = date(2026, 4, 10), date(2026, 4, 27)
    history = (
        sample.event(1, EventType.ISSUED, ReceiptStatus.ISSUED, sample.ISSUED),
        sample.event(2, EventType.PRESENTED, ReceiptStatus.IN_COLLECTION, made_on),
    )
    facts = sample.facts(history=history, status=ReceiptStatus.IN_COLLECTION, status_on=made_on, version=2)
    document = build_document(replace(facts, debit_dates={"e-2": collected_on}))
    assert document.payment.debit_on == collected_on
    withdrawn = (*history, sample.event(3, EventType.WITHDRAWN, ReceiptStatus.ISSUED, made_on))
    again = replace(facts, history=withdrawn, debit_dates={"e-2": collected_on})
    assert build_document(again).payment.debit_on is None  # taken back from the bank: no debit date


def test_a_payer_without_a_mandate_pays_by_transfer() -> None:
    document = sample.document(payer=sample.owner(mandate_id=None))
    assert document.payment == Payment(PaymentMethod.TRANSFER)
    assert sample.document(no_payer=True).payment.method is PaymentMethod.TRANSFER
    assert sample.document(no_payer=True).header.payer is None


def test_the_comparison_sets_this_period_beside_last_year_and_the_community_average() -> None:
    comparison = sample.document().comparison
    assert comparison is not None
    assert comparison.last_year_period == Period(date(2025, 1, 1), date(2025, 3, 31))
    assert (comparison.consumption, comparison.last_year, comparison.average) == (
        Decimal(60), Decimal("52.5"), Decimal("50.000"),
    )  # fmt: skip
    assert round(comparison.change_from_last_year or 0, 2) == Decimal("14.29")
    assert comparison.change_from_average == 20


def test_an_unmetered_unit_has_no_comparison() -> None:
    detail = {**sample.DETAIL, "meters": [], "consumption": None}
    assert sample.document(detail=detail).comparison is None


def test_the_payer_is_the_owner_at_the_period_s_end_not_an_occupant_nor_an_earlier_owner() -> None:
    seller = sample.owner(id="r-0", name="Antes", occupancies=(
        Occupancy("u-1", OccupancyRole.OWNER, date(2010, 1, 1), date(2026, 2, 14)),
    ))  # fmt: skip
    buyer = sample.owner(id="r-2", name="Después", occupancies=(
        Occupancy("u-1", OccupancyRole.OWNER, date(2026, 2, 15)),
    ))  # fmt: skip
    tenant = sample.owner(id="r-3", name="Inquilino", occupancies=(Occupancy("u-1", OccupancyRole.OCCUPANT),))
    assert payer_of([seller, tenant, buyer], "u-1", sample.PERIOD, sample.ISSUED) == buyer
    assert payer_of([seller, tenant], "u-1", sample.PERIOD, sample.ISSUED) is None


def test_without_an_owner_at_the_period_s_end_the_payer_is_the_owner_at_issue() -> None:
    later = sample.owner(occupancies=(Occupancy("u-1", OccupancyRole.OWNER, date(2026, 4, 1)),))
    assert payer_of([later], "u-1", sample.PERIOD, sample.ISSUED) == later


def test_the_same_period_a_year_earlier_keeps_29_february_in_the_month() -> None:
    assert year_before(Period(date(2024, 2, 29), date(2024, 3, 31))) == Period(
        date(2023, 2, 28), date(2023, 3, 31)
    )


def test_the_community_average_is_per_square_metre_of_the_units_with_an_area() -> None:
    average = average_per_area([(Decimal(60), Decimal(80)), (Decimal(40), Decimal(70)), (Decimal(9), None)])
    assert average is not None
    assert round(average, 6) == Decimal("0.666667")
    assert average_per_area([(Decimal(9), None)]) is None


def test_a_document_is_a_value() -> None:
    assert sample.document() == sample.document()
    assert isinstance(sample.document(), ReceiptDocument)
