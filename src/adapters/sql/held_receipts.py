"""Receipts of the units a resident held, for the periods she held them: one query, whatever her units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, exists, false, func, or_

from prorata.adapters.sql import settlement_rows, tables
from prorata.adapters.sql.repository import SqlaRepository
from prorata.adapters.sql.rows import plain_row
from prorata.domain.community.model import Occupancy
from prorata.domain.ports.repository import Page
from prorata.domain.settlement.stored import IssuedReceipt

# Receipts are listed by settlement (ids sort by creation: oldest first), then by unit position: a
# receipt's number ends with it (domain/receipts/receipt.py), one digit longer past 9999 units.
RECEIPT_ORDER: tuple[ColumnElement[Any], ...] = (
    tables.receipts.c.settlement_id,
    func.length(tables.receipts.c.number),
    tables.receipts.c.number,
)


class SqlaHeldReceipts:
    def __init__(self, connection: Connection, bound: str | None = None) -> None:
        self.receipts = _Receipts(
            connection, tables.receipts, plain_row, settlement_rows.receipt, bound, order=RECEIPT_ORDER
        )

    def list(
        self,
        tenant: str | None,
        held: Sequence[Occupancy],
        *,
        offset: int = 0,
        limit: int | None = None,
        **where: object,
    ) -> Page[IssuedReceipt]:
        return self.receipts.list(tenant, offset=offset, limit=limit, **where, _held=tuple(held))


class _Receipts(SqlaRepository[IssuedReceipt]):
    def filtered(self, query: Select[Any], where: dict[str, object]) -> Select[Any]:
        held = where.pop("_held", None)
        if isinstance(held, tuple):
            query = query.where(or_(false(), *(self._during(o) for o in held)))
        return super().filtered(query, where)

    def _during(self, occupancy: Occupancy) -> ColumnElement[bool]:
        """The unit's receipts of settlements whose period overlaps the occupancy, as
        `Occupancy.overlaps` says (the same rule, in SQL)."""
        settlements, receipts = tables.settlements.c, self.table.c
        overlapping = exists().where(settlements.id == receipts.settlement_id)
        if occupancy.since is not None:
            overlapping = overlapping.where(settlements.period_to >= occupancy.since)
        if occupancy.until is not None:
            overlapping = overlapping.where(settlements.period_from <= occupancy.until)
        return (receipts.unit_id == occupancy.unit_id) & overlapping
