"""The SEPA creditor identifier: its MOD 97-10 check digits, over everything but its business code."""

from __future__ import annotations

import pytest

from prorata.domain.collection.creditor import InvalidCreditorId, creditor_id_for, normalize_creditor_id


def test_a_spanish_creditor_identifier_is_its_nif_with_check_digits() -> None:
    assert creditor_id_for("ES", "B12345678") == "ES97000B12345678"
    assert normalize_creditor_id("es97 000 b1234 5678") == "ES97000B12345678"


def test_the_business_code_is_left_out_of_the_check() -> None:
    assert normalize_creditor_id("ES97ZZZB12345678") == "ES97ZZZB12345678"
    assert creditor_id_for("ES", "B12345678", "ZZZ") == "ES97ZZZB12345678"


def test_a_published_example_of_another_country_is_valid() -> None:
    assert normalize_creditor_id("DE98ZZZ09999999999") == "DE98ZZZ09999999999"  # the Bundesbank's example


@pytest.mark.parametrize("wrong", ["ES96000B12345678", "ES97000B12345679", "ES98000B12345678"])
def test_wrong_check_digits_are_refused_naming_the_right_ones(wrong: str) -> None:
    with pytest.raises(InvalidCreditorId, match="check digits"):
        normalize_creditor_id(wrong)


@pytest.mark.parametrize("text", ["", "B12345678", "ES97", "ES9X000B12345678", "ES97000", "ES97000B1234-!"])
def test_what_is_not_shaped_like_one_is_refused(text: str) -> None:
    with pytest.raises(InvalidCreditorId):
        normalize_creditor_id(text)
