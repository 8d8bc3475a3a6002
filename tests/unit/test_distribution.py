"""The distribution sheet as a value: every unit's share of every pool, the rates, and the check."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from prorata.adapters.pdf.table_fonts import printable
from prorata.application.contract_request import parse_request
from prorata.domain.community.model import CommunityUnit, Language
from prorata.domain.settlement.distribution import Distribution, SheetPool, bill_of, distribution, pools_of
from prorata.domain.settlement.distribution_labels import LABELS
from prorata.domain.settlement.engine import prorate
from prorata.domain.settlement.result import Part
from tests.distribution_samples import TERMS, sample, units


def test_every_unit_has_one_amount_per_pool_and_the_receipts_add_up_to_the_bill() -> None:
    sheet = sample(5)
    assert [row.code for row in sheet.rows] == ["U0001", "U0002", "U0003", "U0004", "U0005"]
    assert all(len(row.amounts) == len(sheet.pools) == 3 for row in sheet.rows)
    assert all(sum(row.amounts) == row.total for row in sheet.rows)
    assert sheet.bill == Decimal("6603.45")
    assert sheet.receipts_total == sheet.bill
    assert sum(sheet.pool_totals) == sheet.bill
    assert list(sheet.pool_totals) == [p.amount for p in sheet.pools]
    assert sheet.balanced
    assert sheet.difference == 0


@pytest.mark.parametrize(
    ("amount", "weight", "rate"),
    [
        ("100.00", "3", "33.333333"),
        ("2.00", "3", "0.666667"),
        ("0.01", "8", "0.001250"),
        ("1.00", "0.0000016", "625000.000000"),
        ("-10.00", "3", "-3.333333"),
        ("0.000001", "2", "0.000001"),  # half a millionth rounds up, never to even
    ],
)
def test_a_rate_is_the_amount_per_unit_of_weight_rounded_half_up(amount: str, weight: str, rate: str) -> None:
    pool = SheetPool("Gas", Part.CONSUMPTION, "consumption", Decimal(amount), Decimal(weight))
    assert pool.rate == Decimal(rate)


def test_a_pool_nothing_weighs_has_no_rate() -> None:
    assert SheetPool("Agua", Part.TARIFF, "tariff", Decimal("0.00"), Decimal(0)).rate is None


def test_stored_receipts_give_back_the_pools_they_were_shared_from() -> None:
    terms = {**TERMS, "costs": [*TERMS["costs"], {"concept": "Agua", "tariff": _TARIFF, "amount": "90.00"}]}
    result = prorate(parse_request({**terms, "units": units(9)}))
    assert pools_of(result.receipts) == result.pools
    assert pools_of(()) == ()


def test_the_bill_is_each_cost_line_or_what_a_tariff_without_amount_priced() -> None:
    costs = [
        {"concept": "Gas", "amount": "100.00"},
        {"concept": "Agua", "tariff": _TARIFF},
        {"concept": "Alcantarillado", "tariff": _TARIFF, "amount": "50.00"},
    ]
    request = parse_request({**TERMS, "costs": costs, "units": units(4)})
    result = prorate(request)
    priced = next(p.amount for p in result.pools if p.concept == "Agua")
    assert bill_of(request.costs, result.pools) == Decimal("150.00") + priced == result.total


def test_the_coefficient_shown_is_the_one_the_receipt_was_shared_by_not_the_record_of_today() -> None:
    sheet = sample(3)
    today = replace(_record(sheet), coefficient=Decimal(99), area=Decimal(77))
    settlement, community = sheet.settlement, sheet.community
    result = prorate(parse_request({**TERMS, "units": units(3)}))
    again = distribution(
        settlement, community, "EUR", [today, None, None], result.pools, result.receipts, result.total
    )
    assert again.rows[0].coefficient == Decimal("1.25")  # a pool went by coefficient: its weight
    assert again.rows[0].area == Decimal(77)  # none went by area: the unit's record
    assert again.rows[1].kind is None
    assert again.rows[1].area is None


def test_a_sheet_whose_receipts_miss_a_cent_says_so() -> None:
    sheet = sample(3)
    short = sheet.rows[0]._replace(total=sheet.rows[0].total - Decimal("0.01"))
    forged = replace(sheet, rows=(short, *sheet.rows[1:]))
    assert not forged.balanced
    assert forged.difference == Decimal("-0.01")


def test_key_totals_add_the_units_that_have_the_key() -> None:
    sheet = sample(3)
    assert sheet.key_total("coefficient") == Decimal("6.75")
    assert sheet.key_total("area") == Decimal(183)
    assert sheet.key_total("consumption") == Decimal(33)


def test_every_language_names_the_same_things_with_characters_the_pdf_can_print() -> None:
    english = set(LABELS[Language.EN])
    for language, words in LABELS.items():
        assert set(words) == english, language
        for key, text in words.items():
            assert printable(text) == " ".join(text.split()) or "²" in text, (language, key)


def _record(sheet: Distribution) -> CommunityUnit:
    return CommunityUnit("u-0", "t-1", "c-1", sheet.rows[0].code)


_TARIFF = {"blocks": [{"up_to": "10", "price": "0.4520"}, {"up_to": None, "price": "0.9010"}]}
