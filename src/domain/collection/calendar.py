"""TARGET2 business days: the days a SEPA direct debit can be settled. Every day but Saturdays, Sundays,
1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December (the ECB's TARGET closing days)."""

from __future__ import annotations

from datetime import date, timedelta

_DAY = timedelta(days=1)


def easter(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def closing_days(year: int) -> frozenset[date]:
    """The TARGET2 holidays of a year (weekends aside)."""
    sunday = easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            sunday - 2 * _DAY,  # Good Friday
            sunday + _DAY,  # Easter Monday
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in closing_days(day.year)


def next_business_day(day: date) -> date:
    """`day` itself if it is a business day, else the first one after it."""
    while not is_business_day(day):
        day += _DAY
    return day
