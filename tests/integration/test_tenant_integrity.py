"""The database itself keeps a tenant's meters and readings with the tenant's own units and meters: a
meter of another tenant on a unit, or a reading of another tenant on a meter, is refused — by one
INSERT or within a batch COPY — whatever code wrote it."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from prorata.application.receive_file import receive_file
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, ReadingSource
from prorata.domain.imports.model import ImportSource
from prorata.domain.ports.repository import Conflict, Missing
from prorata.domain.settlement.request import Service
from tests.api_client import new_tenant
from tests.integration.test_job_fencing import MULTI, RecordingQueue

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


def test_a_tenant_bound_write_refuses_a_reading_tagged_with_another_tenants_import(
    components: Components,
) -> None:
    """A reading's import has no foreign key (an import job writes it, for speed): what a tenant's own
    requests write is still checked to be the tenant's."""
    mine = a_meter(components, new_tenant(components))
    other = new_tenant(components, "Otra Administración")
    theirs = received(components, other)
    tagged = MeterReading(
        components.ids.new(),
        mine.tenant_id,
        mine.id,
        date(2026, 1, 1),
        Decimal(9),
        ReadingSource.FILE,
        theirs,
    )
    with (
        components.tenant_unit_of_work(mine.tenant_id) as uow,
        pytest.raises(Missing, match="no such import in this tenant"),
    ):
        uow.readings.add(tagged)
    own = received(components, mine.tenant_id)
    with components.tenant_unit_of_work(mine.tenant_id) as uow:
        uow.readings.add(replace(tagged, import_id=own))
        uow.commit()
    with components.unit_of_work() as uow:
        assert [r.import_id for r in uow.readings.list(None, meter_id=mine.id).items] == [own]


def received(components: Components, tenant: str) -> str:
    with components.unit_of_work() as uow:
        job, _ = receive_file(
            uow,
            dataclasses.replace(components.services, queue=RecordingQueue()),
            Principal(Role.MANAGER, tenant),
            MULTI,
            MULTI.name,
            ImportSource.UPLOAD,
        )
    return job.id
