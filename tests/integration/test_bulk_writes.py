"""Many records at once (an imported workbook's units): PostgreSQL takes them by COPY, SQLite by one
INSERT per row; either way they read back the same, and a duplicate is a Conflict that leaves the unit
of work usable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community, CommunityUnit, UnitKind
from prorata.domain.ports.repository import Conflict

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
