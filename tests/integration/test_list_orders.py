"""Listings come in an order a person can follow, the same on every call: receipts by settlement (oldest
first) then by unit position — 0001, 0002, 0003 … 10000 —, everything else in the order it was made."""

from __future__ import annotations

from typing import Any

from prorata.adapters.system import Uuid7Ids
from tests.api_client import Caller
from tests.integration.published import publish

UNITS = 14


def community_of_many_units(manager: Caller, community: dict[str, Any]) -> None:
    base = f"/v1/communities/{community['id']}/units"
    for position in range(UNITS):
        manager.created(base, {"code": f"P{position:02d}", "coefficient": "1", "area": "50"})


def numbers(listed: list[dict[str, Any]]) -> list[str]:
    return [r["number"] for r in listed]


def test_receipts_are_listed_by_settlement_then_unit_position(
    manager: Caller, community: dict[str, Any]
) -> None:
    community_of_many_units(manager, community)
    first = publish(manager, community["id"], "2026-01-01", "2026-03-31")
    second = publish(manager, community["id"], "2026-04-01", "2026-06-30")
    expected = [f"C0012-{s:05d}-{p + 1:04d}" for s in (1, 2) for p in range(UNITS)]
    assert numbers(first + second) == expected
    listed = manager.get("/v1/receipts").get_json()
    assert numbers(listed) == expected
    paged = [
        r for page in (1, 2, 3) for r in manager.get(f"/v1/receipts?page={page}&page_size=10").get_json()
    ]
    assert numbers(paged) == expected
    one = manager.get(f"/v1/receipts?settlement_id={first[0]['settlement_id']}").get_json()
    assert numbers(one) == expected[:UNITS]


def test_ids_made_in_one_millisecond_still_sort_in_the_order_they_were_made() -> None:
    ids = Uuid7Ids()
    made = [ids.new() for _ in range(5000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_ids_made_many_at_once_sort_after_those_before_and_before_those_after() -> None:
    """An import takes its meters' and readings' ids a thousand at a time: they still sort in the order
    they were made, among the ids made one by one around them."""
    ids = Uuid7Ids()
    made = [ids.new(), *ids.many(3000), ids.new(), *ids.many(1), *ids.many(0), ids.new()]
    assert len(made) == 3004
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(len(i) == 36 and i[14] == "7" and i[19] in "89ab" for i in made)  # RFC 9562 version 7
