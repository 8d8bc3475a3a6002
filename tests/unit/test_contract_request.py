"""The JSON side of the contract: what an `invalid_request` names."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata.application.contract_columns import units_by_columns
from prorata.application.contract_request import _plain_unit, _unit
from prorata.domain.problems import Problem
from tests.contract import errors, settle, unit


def base(**changes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "service": "heating",
        "period": {"from": "2026-09-01", "to": "2026-10-31"},
        "currency": "EUR",
        "consumption_share": "0",
        "costs": [{"concept": "Fee", "amount": "10.00"}],
        "units": [unit("A"), unit("B")],
    }
    request.update(changes)
    return request


def test_a_minimal_request_takes_the_contracts_defaults() -> None:
    result = settle(
        {
            "costs": [{"concept": "Fee", "amount": "10.00"}],
            "units": [{"unit": "A", "coefficient": "1", "readings": [{"consumption": "3"}]}],
        }
    )
    assert (result["currency"], result["total"], result["pools"][0]["part"]) == (
        "EUR",
        "10.00",
        "consumption",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"extra": 1}, "extra"),
        ({"consumption_share": 0.7}, "consumption_share"),
        ({"consumption_share": "1.5"}, "consumption_share"),
        ({"fixed_key": "volume"}, "fixed_key"),
        ({"service": "steam"}, "service"),
        ({"currency": "euro"}, "currency"),
        ({"period": {"from": "2026-10-31", "to": "2026-09-01"}}, "period.to"),
        ({"estimation": {"method": "guess"}}, "estimation.method"),
        ({"estimation": "sometimes"}, "estimation"),
        ({"costs": []}, "costs"),
        ({"units": "A,B"}, "units"),
        ({"costs": [{"concept": "Fee"}]}, "costs[0].amount"),
        ({"costs": [{"concept": "Fee", "amount": "10.005"}]}, "costs[0].amount"),
        ({"costs": [{"concept": "Fee", "amount": "1e3"}]}, "costs[0].amount"),
        ({"costs": [{"amount": "10.00"}]}, "costs[0].concept"),
        ({"costs": [{"concept": "W", "tariff": {"blocks": []}}]}, "costs[0].tariff.blocks"),
        (
            {
                "costs": [
                    {
                        "concept": "W",
                        "consumption_share": "1",
                        "tariff": {"blocks": [{"up_to": None, "price": "1"}]},
                    }
                ]
            },
            "costs[0].consumption_share",
        ),
        (
            {
                "costs": [
                    {
                        "concept": "W",
                        "tariff": {"blocks": [{"up_to": None, "price": "1"}, {"up_to": "5", "price": "2"}]},
                    }
                ]
            },
            "costs[0].tariff.blocks",
        ),
        ({"units": [unit("A"), unit(" a ")]}, "units[1].unit"),
        ({"units": [unit("A", coefficient="-1")]}, "units[0].coefficient"),
        ({"units": [unit("A", colour="red")]}, "units[0].colour"),
        ({"units": [unit("A", metered="no")]}, "units[0].metered"),
        ({"units": [unit("A", readings=[{"meter": "M", "previous": "1"}])]}, "units[0].readings[0]"),
        (
            {
                "units": [
                    unit("A", readings=[{"meter": "M", "previous": "1", "current": "2", "consumption": "1"}])
                ]
            },
            "units[0].readings[0]",
        ),
        (
            {"units": [unit("A", readings=[{"meter": "M", "consumption": "1", "date": "31/03/2026"}])]},
            "units[0].readings[0].date",
        ),
    ],
)
def test_names_the_field_that_breaks_the_contract(changes: dict[str, Any], field: str) -> None:
    found = errors(base(**changes))
    assert [(e["code"], e["field"]) for e in found] == [("invalid_request", field)]


def test_reports_every_bad_field_at_once() -> None:
    found = errors(base(currency="euro", fixed_key="volume", units=[unit("A", area="big")]))
    assert sorted(e["field"] for e in found) == ["currency", "fixed_key", "units[0].area"]


def test_a_key_a_unit_lacks_is_named() -> None:
    found = errors(base(fixed_key="area", units=[{"unit": "A", "coefficient": "1"}, unit("B")]))
    assert [(e["code"], e["field"], e["unit"]) for e in found] == [("invalid_request", "units[0].area", "A")]


_UNIT_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["", " ", "1ºA", "8.50", "-1", "0", "1e3", "12.1234567891", "72", "abc"]),
)


@given(
    st.dictionaries(
        st.sampled_from(["unit", "coefficient", "area", "metered", "readings", "extra"]), _UNIT_VALUES
    )
)
def test_the_fast_path_for_plain_units_agrees_with_the_full_reading(data: dict[str, object]) -> None:
    """Large requests take a shortcut for units without readings: it must accept exactly what the full
    field-by-field reading accepts, as the same unit, and leave everything else to it."""
    problems: list[Problem] = []
    full = _unit(data, "units[0]", problems)
    fast = _plain_unit(data)
    assert fast is None or (fast == full and problems == [])
    if full is not None and problems == [] and "readings" not in data:
        assert fast == full


# Mostly well-formed units (or the column-wise path would never be taken), now and then one field not.
_DECIMAL_TEXTS = st.sampled_from(["1", "8.50", "100", "0.125", "72"])
_ODD = st.sampled_from(["", " ", "-1", "1e3", "1,5", "1\n2", "3.5\n", "12.1234567891", None, 7, True])
_READING = st.fixed_dictionaries(
    {"previous": _DECIMAL_TEXTS, "current": _DECIMAL_TEXTS},
    optional={"meter": st.sampled_from(["M1", "HC-2"]), "factor": _DECIMAL_TEXTS},
)
_ODD_READING = st.dictionaries(
    st.sampled_from(["meter", "previous", "current", "factor", "consumption", "extra"]),
    _DECIMAL_TEXTS | _ODD,
)
_UNIT = st.fixed_dictionaries(
    {"unit": st.sampled_from(["A", "b ", "1ºA"])},
    optional={
        "coefficient": _DECIMAL_TEXTS,
        "area": _DECIMAL_TEXTS,
        "metered": st.sampled_from([True, False, None]),
        "readings": st.lists(_READING, max_size=2) | st.none(),
    },
)
_ODD_UNIT = st.dictionaries(
    st.sampled_from(["unit", "coefficient", "area", "metered", "readings", "extra"]),
    _DECIMAL_TEXTS | _ODD | st.lists(_READING | _ODD_READING, max_size=2),
)


@given(st.lists(st.one_of(*[_UNIT] * 8, _ODD_UNIT), min_size=1, max_size=6))
def test_the_column_wise_path_for_many_plain_units_agrees_with_the_full_reading(
    items: list[dict[str, object]],
) -> None:
    """All the units read column by column, or none: then each is read on its own."""
    fast = units_by_columns(items)
    problems: list[Problem] = []
    full = [_unit(item, f"units[{i}]", problems) for i, item in enumerate(items)]
    assert fast is None or (fast == full and problems == [])


def test_one_bad_unit_among_many_is_named() -> None:
    units = [unit(f"U{i}") for i in range(1000)]
    units[637] = {**units[637], "coefficient": "1,5"}
    found = errors(base(consumption_share="0", units=units))
    assert [(e["field"], e["unit"]) for e in found] == [("units[637].coefficient", "U637")]
