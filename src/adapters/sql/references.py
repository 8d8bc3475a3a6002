"""A tenant-bound write never points at another tenant's record: every foreign key of the rows written that
refers to a tenant's table must name a record of the bound tenant. The database checks that the record
exists; this checks whose it is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table, func, select

from prorata.adapters.sql.rows import Row
from prorata.domain.ports.repository import Missing


def refuse_foreign_references(connection: Connection, table: Table, rows: Sequence[Row], tenant: str) -> None:
    wanted: dict[tuple[Table, str], set[object]] = defaultdict(set)
    for column in table.c:
        for target in _targets(column):
            referred = target.table
            if "tenant_id" not in referred.c or (referred.name == table.name and column.name == "id"):
                continue
            if target.name == "tenant_id":  # a (record, tenant) key's second half: the tenant itself
                continue
            for row in rows:
                value = row.get(column.name)
                if value is not None:
                    wanted[(referred, target.name)].add(value)
    for (referred, name), values in wanted.items():
        found = connection.execute(
            select(func.count())
            .select_from(referred)
            .where(referred.c[name].in_(values), referred.c.tenant_id == tenant)
        ).scalar_one()
        if found != len(values):
            raise Missing(f"no such {referred.name.removesuffix('s')} in this tenant")


def _targets(column: Column[Any]) -> list[Column[Any]]:
    """What a column refers to: its foreign keys' columns, and a reference the database does not check
    (`info={"refers_to": "imports.id"}`, kept without a key for speed), checked here all the same."""
    targets = [key.column for key in column.foreign_keys]
    tag = column.info.get("refers_to")
    if tag:
        name, _, field = str(tag).partition(".")
        table = column.table
        assert table is not None
        targets.append(table.metadata.tables[name].c[field])
    return targets
