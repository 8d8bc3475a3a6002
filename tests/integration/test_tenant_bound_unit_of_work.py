"""A unit of work bound to one tenant reaches that tenant's rows only, in SQL: another tenant's records are
not found, not written and not deleted, whatever tenant a caller passes."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community, CommunityUnit, Occupancy, OccupancyRole, Resident
from prorata.domain.ports.repository import Missing
from tests.api_client import new_tenant


@dataclass(frozen=True)
class Holdings:
    tenant: str
    community: Community
    unit: CommunityUnit
    resident: Resident


def holdings(components: Components, name: str) -> Holdings:
    """A tenant with a community, a unit and its owner, stored by a unit of work of every tenant."""
    tenant = new_tenant(components, name)
    ids = components.ids
    community = Community(ids.new(), tenant, "C1", f"CP {name}")
    unit = CommunityUnit(ids.new(), tenant, community.id, "1A")
    resident = Resident(
        ids.new(), tenant, f"Vecino {name}", occupancies=(Occupancy(unit.id, OccupancyRole.OWNER),)
    )
    with components.unit_of_work() as uow:
        uow.communities.add(community)
        uow.units.add(unit)
        uow.residents.add(resident)
        uow.commit()
    return Holdings(tenant, community, unit, resident)


@pytest.fixture
def own(components: Components) -> Holdings:
    return holdings(components, "own")


@pytest.fixture
def other(components: Components) -> Holdings:
    return holdings(components, "other")


def stored(components: Components, held: Holdings) -> tuple[Community | None, Resident | None]:
    with components.unit_of_work() as uow:
        return uow.communities.get(None, held.community.id), uow.residents.get(None, held.resident.id)


def test_a_bound_unit_of_work_finds_no_record_of_another_tenant(
    components: Components, own: Holdings, other: Holdings
) -> None:
    with components.tenant_unit_of_work(own.tenant) as uow:
        for tenant in (None, own.tenant, other.tenant):
            assert uow.communities.get(tenant, other.community.id) is None
            assert uow.residents.get(tenant, other.resident.id) is None
        assert uow.communities.list(other.tenant).total == 0
        assert uow.residents.list(other.tenant, unit_id=other.unit.id).total == 0
        everything = {c.id for c in uow.communities.list(None).items}
        assert own.community.id in everything
        assert other.community.id not in everything
        assert uow.residents.get(None, own.resident.id) == own.resident


def test_a_bound_unit_of_work_neither_updates_nor_deletes_another_tenants_record(
    components: Components, own: Holdings, other: Holdings
) -> None:
    with components.tenant_unit_of_work(own.tenant) as uow:
        with pytest.raises(Missing):
            uow.communities.update(replace(other.community, name="Renamed"))
        with pytest.raises(Missing):  # nor moves it into its own tenant
            uow.communities.update(replace(other.community, tenant_id=own.tenant))
        with pytest.raises(Missing):
            uow.communities.delete(other.community)
        with pytest.raises(Missing):
            uow.residents.update(replace(other.resident, occupancies=()))
        with pytest.raises(Missing):
            uow.residents.delete(replace(other.resident, tenant_id=own.tenant))
        assert uow.communities.delete_where(other.tenant, id=other.community.id) == 0
        assert uow.units.delete_where(None, id=other.unit.id) == 0
        uow.commit()
    assert stored(components, other) == (other.community, other.resident)
    with components.unit_of_work() as uow:
        assert uow.units.get(None, other.unit.id) == other.unit


def test_a_bound_unit_of_work_refuses_to_add_another_tenants_record(
    components: Components, own: Holdings, other: Holdings
) -> None:
    stray = Community(components.ids.new(), other.tenant, "STRAY", "Not yours")
    with components.tenant_unit_of_work(own.tenant) as uow:
        with pytest.raises(Missing):
            uow.communities.add(stray)
        with pytest.raises(Missing):
            uow.communities.add_all([replace(stray, tenant_id=own.tenant, id=components.ids.new()), stray])
        with pytest.raises(Missing):
            uow.residents.add(replace(other.resident, id=components.ids.new()))
        uow.commit()
    with components.unit_of_work() as uow:
        assert uow.communities.list(None, code="STRAY").total == 0


def test_a_bound_unit_of_work_writes_its_own_tenants_records(
    components: Components, own: Holdings, other: Holdings
) -> None:
    second = CommunityUnit(components.ids.new(), own.tenant, own.community.id, "1B")
    moved = replace(own.resident, occupancies=(Occupancy(second.id, OccupancyRole.OCCUPANT),))
    with components.tenant_unit_of_work(own.tenant) as uow:
        uow.communities.update(replace(own.community, name="Renamed"))
        uow.units.add(second)
        uow.residents.update(moved)
        uow.commit()
    with components.unit_of_work() as uow:
        assert uow.residents.get(None, own.resident.id) == moved
    with components.tenant_unit_of_work(own.tenant) as uow:
        uow.residents.delete(moved)
        uow.commit()
    community, resident = stored(components, own)
    assert community == replace(own.community, name="Renamed")
    assert resident is None
    assert stored(components, other) == (other.community, other.resident)


def test_a_bound_update_of_a_record_that_is_gone_says_so(components: Components, own: Holdings) -> None:
    with components.unit_of_work() as uow:
        uow.residents.delete(own.resident)
        uow.commit()
    with components.tenant_unit_of_work(own.tenant) as uow, pytest.raises(Missing):
        uow.residents.update(own.resident)
