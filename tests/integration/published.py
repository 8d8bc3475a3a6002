"""Published receipts to act on: a community's heating settlement, published over REST."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.api_client import Caller
from tests.integration.test_api_settlement_flow import build_community


def today() -> str:
    """The server's day of issue (its clock is UTC)."""
    return datetime.now(UTC).date().isoformat()


def publish(
    manager: Caller, community_id: str, start: str = "2026-01-01", end: str = "2026-03-31"
) -> list[Any]:
    """A heating settlement of the community published: its receipts, one per unit, in unit order."""
    terms = {
        "community_id": community_id,
        "service": "heating",
        "period": {"from": start, "to": end},
        "consumption_share": "0.70",
        "costs": [{"concept": "Gas", "amount": "1000.00"}],
    }
    settlement = manager.created("/v1/settlements", terms)
    published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
    assert published.status_code == 201, published.get_json()
    receipts: list[Any] = manager.get(f"/v1/receipts?settlement_id={settlement['id']}").get_json()
    return sorted(receipts, key=lambda r: r["number"])  # in unit order


def published_receipts(manager: Caller, community: dict[str, Any]) -> list[Any]:
    """The community built as the settlement flow builds it (units 1A, 1B, Local), and the receipts of
    one published settlement, in unit order."""
    build_community(manager, community)
    return publish(manager, community["id"])
