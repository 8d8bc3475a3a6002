"""A tenant-bound write never points at another tenant's record: every foreign key of the rows written that
refers to a tenant's table must name a record of the bound tenant. The database checks that the record
exists; this checks whose it is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, Table, func, select

from prorata.adapters.sql.rows import Row
from prorata.domain.ports.repository import Missing


def refuse_foreign_references(connection: Connection, table: Table, rows: Sequence[Row], tenant: str) -> None:
    wanted: dict[tuple[Table, str], set[object]] = defaultdict(set)
    for column in table.c:
        for key in column.foreign_keys:
            referred = key.column.table
            if "tenant_id" not in referred.c or (referred.name == table.name and column.name == "id"):
                continue
            if key.column.name == "tenant_id":  # a (record, tenant) key's second half: the tenant itself
                continue
            for row in rows:
                value = row.get(column.name)
                if value is not None:
                    wanted[(referred, key.column.name)].add(value)
    for (referred, name), values in wanted.items():
        found = connection.execute(
            select(func.count())
            .select_from(referred)
            .where(referred.c[name].in_(values), referred.c.tenant_id == tenant)
        ).scalar_one()
        if found != len(values):
            raise Missing(f"no such {referred.name.removesuffix('s')} in this tenant")
