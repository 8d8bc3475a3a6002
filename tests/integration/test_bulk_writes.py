"""Many records at once (an imported workbook's units): PostgreSQL takes them by COPY, SQLite by one
INSERT per row; either way they read back the same, and a duplicate is a Conflict that leaves the unit
of work usable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community, CommunityUnit, UnitKind
from prorata.domain.ports.repository import Conflict
from tests.api_client import Caller

MANY = 1_200  # past the point where PostgreSQL switches to COPY


def test_many_units_are_stored_and_read_back_exactly(components: Components, tenant: str) -> None:
    ids = components.ids
    community = Community(ids.new(), tenant, "BULK-1", "Bulk 1")
    units = [
        CommunityUnit(
            ids.new(),
            tenant,
            community.id,
            f"U{i:05d}",
            Decimal(f"{i % 97}.{i % 1000:03d}") if i % 5 else None,
            Decimal("72.5") if i % 3 else None,
            UnitKind.PREMISES if i % 11 == 0 else UnitKind.DWELLING,
        )
        for i in range(MANY)
    ]
    with components.unit_of_work() as uow:
        uow.communities.add(community)
        uow.units.add_all(units)
        uow.commit()
    with components.unit_of_work() as uow:
        stored = uow.units.list(tenant, community_id=community.id).items
    assert sorted(stored, key=lambda u: u.code) == units


def test_a_duplicate_among_many_is_a_conflict_and_nothing_of_the_batch_is_kept(
    components: Components, tenant: str
) -> None:
    ids = components.ids
    community = Community(ids.new(), tenant, "BULK-2", "Bulk 2")
    units = [CommunityUnit(ids.new(), tenant, community.id, f"U{i:05d}") for i in range(MANY)]
    units.append(CommunityUnit(ids.new(), tenant, community.id, "U00007"))  # same code twice
    with components.unit_of_work() as uow:
        uow.communities.add(community)
        with pytest.raises(Conflict):
            uow.units.add_all(units)
        uow.units.add(CommunityUnit(ids.new(), tenant, community.id, "still usable"))
        uow.commit()
    with components.unit_of_work() as uow:
        stored = uow.units.list(tenant, community_id=community.id).items
    assert [u.code for u in stored] == ["still usable"]


def test_a_settlement_of_many_units_publishes_one_receipt_each_with_its_calculation(
    components: Components, tenant: str, manager: Caller
) -> None:
    """Its receipts and their history go in by COPY on PostgreSQL: a receipt's calculation (JSON) too."""
    ids = components.ids
    community = Community(ids.new(), tenant, "BULK-3", "Bulk 3")
    units = [CommunityUnit(ids.new(), tenant, community.id, f"U{i:05d}", Decimal(1)) for i in range(MANY)]
    with components.unit_of_work() as uow:
        uow.communities.add(community)
        uow.units.add_all(units)
        uow.commit()
    terms = {
        "community_id": community.id,
        "service": "other",
        "period": {"from": "2026-01-01", "to": "2026-03-31"},
        "consumption_share": "0",
        "costs": [{"concept": "Limpieza", "amount": f"{MANY * 10}.00"}],
    }
    settlement = manager.created("/v1/settlements", terms)
    published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
    assert published.status_code == 201, published.get_json()
    receipts = manager.get(f"/v1/receipts?settlement_id={settlement['id']}&page_size=500").get_json()
    assert published.get_json()["receipts"][0]["total"] == "10.00"
    assert len(published.get_json()["receipts"]) == MANY
    assert {r["total"] for r in receipts} == {"10.00"}
    assert receipts[0]["detail"]["lines"], receipts[0]["detail"]
