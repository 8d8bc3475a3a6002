"""Meters and their readings, listed community by community (an import reads a whole community's history
in one query, not one per meter)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, select

from prorata.adapters.sql import community_rows, tables
from prorata.adapters.sql.repository import SqlaRepository
from prorata.domain.community.model import Meter, MeterReading


def _units_of(community_id: object) -> Select[Any]:
    return select(tables.units.c.id).where(tables.units.c.community_id == community_id)


class SqlaMeterRepository(SqlaRepository[Meter]):
    def __init__(self, connection: Connection, bound: str | None = None) -> None:
        super().__init__(connection, tables.meters, community_rows.meter_row, community_rows.meter, bound)

    def filtered(self, query: Select[Any], where: dict[str, object]) -> Select[Any]:
        """Besides columns: `community_id` (the meters of its units)."""
        community_id = where.pop("community_id", None)
        if community_id is not None:
            query = query.where(self.table.c.unit_id.in_(_units_of(community_id)))
        return super().filtered(query, where)


class SqlaReadingRepository(SqlaRepository[MeterReading]):
    def __init__(self, connection: Connection, bound: str | None = None) -> None:
        super().__init__(
            connection, tables.readings, community_rows.reading_row, community_rows.reading, bound
        )

    def filtered(self, query: Select[Any], where: dict[str, object]) -> Select[Any]:
        """Besides columns: `community_id` (the readings of its units' meters)."""
        community_id = where.pop("community_id", None)
        if community_id is not None:
            meters = select(tables.meters.c.id).where(tables.meters.c.unit_id.in_(_units_of(community_id)))
            query = query.where(self.table.c.meter_id.in_(meters))
        return super().filtered(query, where)
