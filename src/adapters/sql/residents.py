"""Residents with the units they own or occupy (a table of their own)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, delete, insert, select

from prorata.adapters.sql import community_rows, tables
from prorata.adapters.sql.repository import SqlaRepository
from prorata.adapters.sql.rows import Row
from prorata.adapters.system import Uuid7Ids
from prorata.domain.community.model import Resident
from prorata.domain.ports.repository import Page

_IDS = Uuid7Ids()


class SqlaResidentRepository(SqlaRepository[Resident]):
    def __init__(self, connection: Connection, bound: str | None = None) -> None:
        super().__init__(
            connection, tables.residents, community_rows.resident_row, self._with_occupancies, bound
        )

    def _with_occupancies(self, row: Row) -> Resident:
        found = self.connection.execute(
            select(tables.occupancies).where(tables.occupancies.c.resident_id == row["id"])
        )
        return community_rows.resident(row, [dict(o) for o in found.mappings()])

    def add(self, item: Resident) -> None:
        row = self.own_row(item)
        with self.guarded():
            self.connection.execute(insert(self.table).values(row))
            self._insert_occupancies(item)

    def add_all(self, items: list[Resident]) -> None:
        if items:
            residents = [self.own_row(item) for item in items]
            with self.guarded():
                self.insert_rows(self.table, residents)
                occupancies = [row for item in items for row in community_rows.occupancy_rows(item, _IDS.new)]
                self.own_references(occupancies, tables.occupancies)
                self.insert_rows(tables.occupancies, occupancies)

    def update(self, item: Resident) -> None:
        super().update(item)
        with self.guarded():
            self.connection.execute(delete(tables.occupancies).where(self._occupancies_of(item.id)))
            self._insert_occupancies(item)

    def list(
        self, tenant: str | None, *, offset: int = 0, limit: int | None = None, **where: object
    ) -> Page[Resident]:
        """One query for the residents and one for all their occupancies, however many they are."""
        query, total = self.page_query(tenant, offset, limit, dict(where))
        found = [dict(row) for row in self.connection.execute(query).mappings()]
        occupancies: dict[str, list[Row]] = defaultdict(list)
        if found:
            held = select(tables.occupancies).where(
                tables.occupancies.c.resident_id.in_(select(query.subquery().c.id))
            )
            for occupancy in self.connection.execute(held).mappings():
                occupancies[occupancy["resident_id"]].append(dict(occupancy))
        return Page(
            [community_rows.resident(row, occupancies[row["id"]]) for row in found],
            len(found) if total is None else total,
        )

    def filtered(self, query: Select[Any], where: dict[str, object]) -> Select[Any]:
        """Besides columns: `unit_id` (holding that unit, now or once) and `community_id` (holding any of
        its units, now or once); a list or tuple means any of them, as for columns."""
        unit_id = where.pop("unit_id", None)
        if unit_id is not None:
            occupying = select(tables.occupancies.c.resident_id).where(
                _any_of(tables.occupancies.c.unit_id, unit_id)
            )
            query = query.where(self.table.c.id.in_(occupying))
        community_id = where.pop("community_id", None)
        if community_id is not None:
            units = select(tables.units.c.id).where(_any_of(tables.units.c.community_id, community_id))
            occupying = select(tables.occupancies.c.resident_id).where(
                tables.occupancies.c.unit_id.in_(units)
            )
            query = query.where(self.table.c.id.in_(occupying))
        return super().filtered(query, where)

    def _occupancies_of(self, resident_id: str) -> ColumnElement[bool]:
        """The resident's occupancies; when bound, only while the resident is the bound tenant's (the
        occupancies table has no tenant of its own)."""
        held = tables.occupancies.c.resident_id == resident_id
        confined = self.confined(None)
        if confined:
            held = held & tables.occupancies.c.resident_id.in_(select(self.table.c.id).where(*confined))
        return held

    def _insert_occupancies(self, item: Resident) -> None:
        if item.occupancies:
            held = community_rows.occupancy_rows(item, _IDS.new)
            self.own_references(held, tables.occupancies)
            self.connection.execute(insert(tables.occupancies), held)


def _any_of(column: ColumnElement[Any], value: object) -> ColumnElement[bool]:
    return column.in_(value) if isinstance(value, list | tuple) else column == value
