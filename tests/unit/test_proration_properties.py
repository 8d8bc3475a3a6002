"""Invariants of the engine over generated settlements."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.contract import settle


def _decimal(hundredths: int) -> str:
    sign = "-" if hundredths < 0 else ""
    return f"{sign}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"


weights = st.integers(min_value=1, max_value=100_000).map(_decimal)
amounts = st.integers(min_value=-50_000, max_value=10_000_000).map(_decimal)
shares = st.integers(min_value=0, max_value=100).map(lambda n: _decimal(n))
keys = st.sampled_from(["coefficient", "area", "equal"])


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=8))
    units = []
    for index in range(count):
        previous = draw(st.integers(min_value=0, max_value=10_000))
        used = draw(st.integers(min_value=0, max_value=5_000))
        units.append(
            {
                "unit": f"U{index}",
                "coefficient": draw(weights),
                "area": draw(weights),
                "readings": [
                    {"meter": f"M{index}", "previous": str(previous), "current": str(previous + used)}
                ],
            }
        )
    costs: list[dict[str, Any]] = []
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        line: dict[str, Any] = {"concept": f"C{index}", "amount": draw(amounts), "fixed_key": draw(keys)}
        if draw(st.booleans()):
            line["tariff"] = {"blocks": [{"up_to": "50", "price": "0.4520"}, {"up_to": None, "price": "1.1"}]}
            if draw(st.booleans()):
                del line["amount"]
        else:
            line["consumption_share"] = draw(shares)
        costs.append(line)
    return {"costs": costs, "units": units}


def _cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


@settings(max_examples=300, deadline=None)
@given(requests())
def test_receipts_always_add_up_to_the_costs(request: dict[str, Any]) -> None:
    result = settle(request)
    billed = sum(_cents(line["amount"]) for line in request["costs"] if "amount" in line)
    billed += sum(
        _cents(pool["amount"]) for pool, line in _tariff_pools(result, request) if "amount" not in line
    )
    assert sum(_cents(r["total"]) for r in result["receipts"]) == billed == _cents(result["total"])


@settings(max_examples=300, deadline=None)
@given(requests())
def test_every_share_is_within_one_cent_of_its_exact_share(request: dict[str, Any]) -> None:
    result = settle(request)
    for index, pool in enumerate(result["pools"]):
        if pool["part"] == "tariff":
            continue
        for receipt in result["receipts"]:
            line = receipt["lines"][index]
            exact = Fraction(pool["amount"]) * Fraction(line["weight"]) / Fraction(pool["total_weight"])
            assert abs(Fraction(line["amount"]) - exact) < Fraction(1, 100)


@settings(max_examples=200, deadline=None)
@given(requests(), st.sampled_from(["10", "3", "0.5", "1000"]))
def test_scaling_every_weight_of_a_key_changes_nothing(request: dict[str, Any], factor: str) -> None:
    before = settle(request)
    for unit in request["units"]:
        unit["coefficient"] = str(Decimal(unit["coefficient"]) * Decimal(factor))
        unit["area"] = str(Decimal(unit["area"]) * Decimal(factor))
    after = settle(request)
    assert [r["total"] for r in after["receipts"]] == [r["total"] for r in before["receipts"]]


@settings(max_examples=200, deadline=None)
@given(requests())
def test_reordering_units_only_moves_tie_cents(request: dict[str, Any]) -> None:
    result = settle(request)
    request["units"].reverse()
    after = {r["unit"]: r for r in settle(request)["receipts"]}
    for index, pool in enumerate(result["pools"]):
        if pool["part"] == "tariff":  # priced per unit, not shared
            continue
        remainders = {
            r["unit"]: (Fraction(pool["amount"]) * Fraction(r["lines"][index]["weight"]) * 100)
            / Fraction(pool["total_weight"])
            % 1
            for r in result["receipts"]
        }
        for receipt in result["receipts"]:
            old, new = receipt["lines"][index]["amount"], after[receipt["unit"]]["lines"][index]["amount"]
            assert abs(_cents(old) - _cents(new)) <= 1
            if old != new:
                tied = [u for u, rest in remainders.items() if rest == remainders[receipt["unit"]]]
                assert len(tied) > 1, f"{receipt['unit']} moved a cent in {pool['concept']} without a tie"


def _tariff_pools(
    result: dict[str, Any], request: dict[str, Any]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    lines = {line["concept"]: line for line in request["costs"]}
    return [(pool, lines[pool["concept"]]) for pool in result["pools"] if pool["part"] == "tariff"]
