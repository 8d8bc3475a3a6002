"""TARGET2 business days, and how soon a remittance may be collected."""

from __future__ import annotations

from datetime import date

import pytest

from prorata.domain.collection.calendar import closing_days, easter, is_business_day, next_business_day
from prorata.domain.collection.remittance import CollectionRefused
from prorata.domain.collection.rules import check_collection_date, earliest_collection


@pytest.mark.parametrize(
    ("year", "sunday"),
    [(2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)), (2024, date(2024, 3, 31)),
     (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
     (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))],
)  # fmt: skip
def test_easter_is_computed_for_any_year(year: int, sunday: date) -> None:
    assert easter(year) == sunday


def test_the_closing_days_are_new_year_good_friday_easter_monday_labour_day_and_christmas() -> None:
    assert closing_days(2026) == {
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1), date(2026, 12, 25),
        date(2026, 12, 26),
    }  # fmt: skip


def test_weekends_and_closing_days_are_not_business_days_and_the_next_one_follows() -> None:
    assert not is_business_day(date(2026, 5, 2))  # Saturday
    assert not is_business_day(date(2026, 5, 3))  # Sunday
    assert is_business_day(date(2026, 5, 4))
    assert is_business_day(date(2026, 1, 6))  # a national holiday in Spain, but TARGET2 is open
    assert next_business_day(date(2026, 4, 3)) == date(2026, 4, 7)  # Good Friday to Easter Tuesday
    assert next_business_day(date(2026, 12, 25)) == date(2026, 12, 28)
    assert next_business_day(date(2027, 12, 31)) == date(2027, 12, 31)


def test_a_remittance_is_collected_at_least_fourteen_days_ahead_unless_fewer_were_agreed() -> None:
    today = date(2026, 4, 20)  # a Monday
    assert earliest_collection(today, None) == date(2026, 5, 4)  # 14 days: Monday 4 May
    assert earliest_collection(today, 5) == date(2026, 4, 27)  # 25 April is a Saturday
    assert earliest_collection(today, 0) == date(2026, 4, 21)  # never today: the bank needs a day
    assert earliest_collection(date(2026, 4, 17), 14) == date(2026, 5, 4)  # 1 May is closed


def test_a_collection_date_too_soon_or_on_a_closed_day_is_refused_saying_which_would_do() -> None:
    today = date(2026, 4, 20)
    assert check_collection_date(date(2026, 5, 4), today, None) == date(2026, 5, 4)
    with pytest.raises(CollectionRefused, match="earliest is 2026-05-04") as soon:
        check_collection_date(date(2026, 4, 30), today, None)
    assert (soon.value.code, soon.value.field) == ("invalid_collection_date", "collection_date")
    with pytest.raises(CollectionRefused, match=r"not a TARGET2 business day.*2026-05-04"):
        check_collection_date(date(2026, 5, 1), today, 2)
    assert check_collection_date(date(2026, 4, 23), today, 2) == date(2026, 4, 23)
