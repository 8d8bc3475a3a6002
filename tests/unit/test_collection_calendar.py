"""TARGET2 business days, and how soon a remittance may be collected."""

from __future__ import annotations

from datetime import date, timedelta

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


@pytest.mark.parametrize(
    ("year", "good_friday", "easter_monday"),
    [(2027, date(2027, 3, 26), date(2027, 3, 29)), (2030, date(2030, 4, 19), date(2030, 4, 22)),
     (2035, date(2035, 3, 23), date(2035, 3, 26)), (2040, date(2040, 3, 30), date(2040, 4, 2)),
     (2049, date(2049, 4, 16), date(2049, 4, 19))],
)  # fmt: skip
def test_the_closing_days_of_other_years_follow_their_easter(
    year: int, good_friday: date, easter_monday: date
) -> None:
    fixed = {date(year, 1, 1), date(year, 5, 1), date(year, 12, 25), date(year, 12, 26)}
    assert closing_days(year) == fixed | {good_friday, easter_monday}
    assert next_business_day(good_friday) == easter_monday + timedelta(days=1)  # the Tuesday


def test_a_file_made_on_a_closed_day_reaches_the_bank_on_the_next_business_day_and_is_collected_after() -> (
    None
):
    saturday = date(
        2026, 5, 2
    )  # the bank takes the file on Monday 4 May: collected on the 5th at the soonest
    assert earliest_collection(saturday, 0) == date(2026, 5, 5)
    with pytest.raises(CollectionRefused, match="earliest is 2026-05-05"):
        check_collection_date(date(2026, 5, 4), saturday, 0)
    christmas = date(2026, 12, 25)  # a Friday: the bank opens on Monday 28
    assert earliest_collection(christmas, 1) == date(2026, 12, 29)
    assert earliest_collection(date(2026, 4, 30), 0) == date(2026, 5, 4)  # a Thursday: 1 May is closed
