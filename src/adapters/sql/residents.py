"""Residents with the units they own or occupy (a table of their own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select

from prorata.adapters.sql import rows, tables
from prorata.adapters.sql.repository import SqlaRepository
from prorata.domain.community.model import Resident


class SqlaResidentRepository(SqlaRepository[Resident]):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, tables.residents, rows.resident_row, self._with_occupancies)

    def _with_occupancies(self, row: rows.Row) -> Resident:
        found = self.connection.execute(
            select(tables.occupancies).where(tables.occupancies.c.resident_id == row["id"])
        )
        return rows.resident(row, [dict(o) for o in found.mappings()])

    def add(self, item: Resident) -> None:
        with self.guarded():
            self.connection.execute(insert(self.table).values(self.to_row(item)))
            self._insert_occupancies(item)

    def add_all(self, items: list[Resident]) -> None:
        if items:
            with self.guarded():
                self.insert_rows(self.table, [self.to_row(item) for item in items])
                occupancies = [
                    {"resident_id": item.id, "unit_id": o.unit_id, "role": o.role.value, "since": o.since}
                    for item in items
                    for o in item.occupancies
                ]
                self.insert_rows(tables.occupancies, occupancies)

    def update(self, item: Resident) -> None:
        super().update(item)
        with self.guarded():
            self.connection.execute(
                delete(tables.occupancies).where(tables.occupancies.c.resident_id == item.id)
            )
            self._insert_occupancies(item)

    def filtered(self, query: Select[Any], where: dict[str, object]) -> Select[Any]:
        unit_id = where.pop("unit_id", None)
        if unit_id is not None:
            occupying = select(tables.occupancies.c.resident_id).where(
                tables.occupancies.c.unit_id == unit_id
            )
            query = query.where(self.table.c.id.in_(occupying))
        return super().filtered(query, where)

    def _insert_occupancies(self, item: Resident) -> None:
        if item.occupancies:
            self.connection.execute(
                insert(tables.occupancies),
                [
                    {"resident_id": item.id, "unit_id": o.unit_id, "role": o.role.value, "since": o.since}
                    for o in item.occupancies
                ],
            )
