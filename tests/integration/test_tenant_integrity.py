"""The database itself keeps a tenant's meters and readings with the tenant's own units and meters: a
meter of another tenant on a unit, or a reading of another tenant on a meter, is refused — by one
INSERT or within a batch COPY — whatever code wrote it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, ReadingSource
from prorata.domain.ports.repository import Conflict
from prorata.domain.settlement.request import Service
from tests.api_client import new_tenant

MANY = 600  # past the point where PostgreSQL switches to COPY


def a_meter(components: Components, tenant: str) -> Meter:
    ids = components.ids
    community = Community(ids.new(), tenant, f"C-{ids.new()[:8]}", "Integridad")
    unit = CommunityUnit(ids.new(), tenant, community.id, "1A")
    meter = Meter(ids.new(), tenant, unit.id, "HCA-1", Service.HEATING)
    with components.unit_of_work() as uow:
        uow.communities.add(community)
        uow.units.add(unit)
        uow.meters.add(meter)
        uow.commit()
    return meter


def test_a_meter_of_another_tenant_on_a_unit_is_refused(components: Components) -> None:
    mine = a_meter(components, new_tenant(components))
    other = new_tenant(components, "Otra Administración")
    with components.unit_of_work() as uow:
        with pytest.raises(Conflict):
            uow.meters.add(Meter(components.ids.new(), other, mine.unit_id, "HCA-2", Service.HEATING))
        uow.commit()
    with components.unit_of_work() as uow:
        assert [m.serial for m in uow.meters.list(None, unit_id=mine.unit_id).items] == ["HCA-1"]


@pytest.mark.parametrize("count", [1, MANY])
def test_a_reading_of_another_tenant_on_a_meter_is_refused(components: Components, count: int) -> None:
    mine = a_meter(components, new_tenant(components))
    other = new_tenant(components, "Otra Administración")
    readings = [
        MeterReading(
            components.ids.new(),
            mine.tenant_id,
            mine.id,
            date(2024, 1, 1) + timedelta(days=day),
            Decimal(day),
        )
        for day in range(count - 1)
    ]
    readings.append(
        MeterReading(components.ids.new(), other, mine.id, date(2026, 1, 1), Decimal(9), ReadingSource.API)
    )
    with components.unit_of_work() as uow:
        with pytest.raises(Conflict):
            uow.readings.add_all(readings)
        uow.commit()
    with components.unit_of_work() as uow:
        assert uow.readings.list(None, meter_id=mine.id).items == []
