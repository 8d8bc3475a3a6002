"""Listing receipts by what a manager looks for: their status, settlement, unit, community, issue date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.api_client import Caller
from tests.integration.published import publish, published_receipts, today


def numbers(manager: Caller, query: str) -> list[str]:
    response = manager.get(f"/v1/receipts?page_size=500&{query}")
    assert response.status_code == 200, response.get_json()
    return sorted(r["number"] for r in response.get_json())


def test_receipts_are_listed_by_status_settlement_unit_community_and_issue_date(
    manager: Caller, community: dict[str, Any]
) -> None:
    first = published_receipts(manager, community)
    second = publish(manager, community["id"])
    elsewhere = manager.created("/v1/communities", {"code": "C0099", "name": "CP Otra"})
    unit = manager.created(f"/v1/communities/{elsewhere['id']}/units", {"code": "1A", "coefficient": "1"})
    other = publish(manager, elsewhere["id"])
    for receipt, type in ((first[0], "presented"), (first[1], "presented"), (second[0], "paid")):
        manager.post(f"/v1/receipts/{receipt['id']}/events", {"type": type, "on": today()})
    manager.post(
        f"/v1/receipts/{first[1]['id']}/events", {"type": "returned", "on": today(), "reason": "AC04"}
    )

    def of(*receipts: dict[str, Any]) -> list[str]:
        return sorted(r["number"] for r in receipts)

    assert numbers(manager, "status=in_collection") == of(first[0])
    assert numbers(manager, "status=returned&status=paid") == of(first[1], second[0])
    assert numbers(manager, f"settlement_id={second[0]['settlement_id']}") == of(*second)
    assert numbers(manager, f"unit_id={first[2]['unit_id']}") == of(first[2], second[2])
    assert numbers(manager, f"community_id={community['id']}") == of(*first, *second)
    assert numbers(manager, f"community_id={elsewhere['id']}&unit_id={unit['id']}") == of(*other)
    assert numbers(manager, f"community_id={elsewhere['id']}&settlement_id={first[0]['settlement_id']}") == []
    assert numbers(manager, f"community_id={community['id']}&status=issued") == of(first[2], *second[1:])
    yesterday = (date.fromisoformat(today()) - timedelta(days=1)).isoformat()
    assert numbers(manager, f"issued_from={today()}&issued_to={today()}") == of(*first, *second, *other)
    assert numbers(manager, f"issued_to={yesterday}") == []
    assert numbers(manager, "community_id=no-such-community") == []


def test_a_filter_that_cannot_match_is_refused_naming_it(manager: Caller) -> None:
    for query, field in (
        ("status=lost", "status[0]"),
        ("issued_from=2026-02-01&issued_to=2026-01-01", "issued_to"),
        ("issued_from=01/02/2026", "issued_from"),
    ):
        response = manager.get(f"/v1/receipts?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["field"] == field, response.get_json()
