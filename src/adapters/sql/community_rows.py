"""Table rows of a community's records (the community, its units, residents, meters and readings) and
back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from prorata.adapters.sql.rows import Row, plain_row
from prorata.domain.community.model import (
    Community,
    CommunityUnit,
    Language,
    Meter,
    MeterReading,
    Occupancy,
    OccupancyRole,
    ReadingCorrection,
    ReadingSource,
    Resident,
    UnitKind,
)
from prorata.domain.settlement.request import Service


def community(row: Row) -> Community:
    return Community(**row)


def unit(row: Row) -> CommunityUnit:
    return CommunityUnit(**{**row, "kind": UnitKind(row["kind"])})


def resident_row(item: Resident) -> Row:
    row = plain_row(item)
    del row["occupancies"]
    return row


def occupancy_rows(item: Resident, ids: Callable[[], str]) -> list[Row]:
    """The resident's occupancies, each under a new id (they are replaced whole, never one by one)."""
    return [
        {
            "id": ids(),
            "resident_id": item.id,
            "unit_id": o.unit_id,
            "role": o.role.value,
            "since": o.since,
            "until": o.until,
        }
        for o in item.occupancies
    ]


def resident(row: Row, occupancies: list[Row]) -> Resident:
    return Resident(
        **{**row, "language": Language(row["language"])},
        occupancies=tuple(
            Occupancy(o["unit_id"], OccupancyRole(o["role"]), o["since"], o["until"])
            for o in sorted(occupancies, key=lambda o: (o["since"] or date.min, o["unit_id"], o["role"]))
        ),
    )


def meter_row(item: Meter) -> Row:
    # Written out rather than `plain_row`, as `reading_row` is: an import writes a meter per row of its file.
    return {
        "id": item.id,
        "tenant_id": item.tenant_id,
        "unit_id": item.unit_id,
        "serial": item.serial,
        "service": item.service.value,
        "factor": item.factor,
        "rollover": item.rollover,
        "replaced_on": item.replaced_on,
        "replaced_by": item.replaced_by,
    }


def meter(row: Row) -> Meter:
    return Meter(**{**row, "service": Service(row["service"])})


def reading_row(item: MeterReading) -> Row:
    # Written out rather than `plain_row`: an import writes a reading per row of its file (a third of
    # the time of 100,000 readings went to the generic conversion).
    trail = [
        {"value": format(c.value, "f"), "reason": c.reason, "at": c.corrected_at.isoformat(), "by": c.by}
        for c in item.corrections
    ]
    return {
        "id": item.id,
        "tenant_id": item.tenant_id,
        "meter_id": item.meter_id,
        "read_on": item.read_on,
        "value": item.value,
        "source": item.source.value,
        "import_id": item.import_id,
        "corrections": trail or None,
    }


def reading(row: Row) -> MeterReading:
    corrections = tuple(
        ReadingCorrection(Decimal(c["value"]), c["reason"], datetime.fromisoformat(c["at"]), c["by"])
        for c in row["corrections"] or ()
    )
    return MeterReading(**{**row, "source": ReadingSource(row["source"]), "corrections": corrections})
