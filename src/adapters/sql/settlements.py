"""Settlements; their headings read from the columns they need only (never the readings' JSON)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from prorata.adapters.sql import settlement_rows, tables
from prorata.adapters.sql.repository import SqlaRepository
from prorata.domain.settlement.heading import SettlementHeading
from prorata.domain.settlement.request import Period, Service
from prorata.domain.settlement.stored import Settlement

_T = tables.settlements
_HEADING = (
    _T.c.id,
    _T.c.tenant_id,
    _T.c.community_id,
    _T.c.service,
    _T.c.period_from,
    _T.c.period_to,
    _T.c.supersedes,
)


class SqlaSettlementRepository(SqlaRepository[Settlement]):
    def __init__(self, connection: Connection, bound: str | None = None) -> None:
        super().__init__(connection, _T, settlement_rows.settlement_row, settlement_rows.settlement, bound)

    def headings(self, tenant: str | None, ids: list[str]) -> list[SettlementHeading]:
        if not ids:
            return []
        query = self.scoped(select(*_HEADING), tenant).where(_T.c.id.in_(ids))
        return [
            SettlementHeading(
                row.id,
                row.tenant_id,
                row.community_id,
                Service(row.service),
                Period(row.period_from, row.period_to),
                row.supersedes,
            )
            for row in self.connection.execute(query)
        ]
