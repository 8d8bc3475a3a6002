"""Which records keep one from being deleted: the rows whose foreign keys point at it (and do not go
with it), counted by kind, so a refused DELETE can say what refers to the record."""

from __future__ import annotations

from sqlalchemy import Connection, Table, distinct, func, select

from prorata.domain.ports.repository import Reference

# Table → (the records, one record) as a person says them. An occupancy is a resident holding a unit:
# it is counted by resident.
_NAMES = {
    "communities": ("communities", "community"),
    "units": ("units", "unit"),
    "residents": ("residents", "resident"),
    "occupancies": ("residents", "resident"),
    "meters": ("meters", "meter"),
    "readings": ("readings", "reading"),
    "settlements": ("settlements", "settlement"),
    "imports": ("imports", "import"),
    "mapping_profiles": ("mapping profiles", "mapping profile"),
    "receipts": ("receipts", "receipt"),
    "receipt_events": ("receipt events", "receipt event"),
    "remittances": ("remittances", "remittance"),
    "remittance_items": ("remittance items", "remittance item"),
    "webhooks": ("webhooks", "webhook"),
    "webhook_deliveries": ("webhook deliveries", "webhook delivery"),
    "drop_claims": ("dropped files", "dropped file"),
}
_COUNTED_BY = {"occupancies": "resident_id"}


def record_name(table: Table) -> str:
    return _NAMES.get(table.name, (table.name, table.name.replace("_", " ")))[1]


def references_to(connection: Connection, table: Table, id: object) -> tuple[Reference, ...]:
    """The records that refer to row `id` of `table` and would not go with it, by kind."""
    counts: dict[tuple[str, str], int] = {}
    for other in table.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is not table or (key.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue
            if key.column.name == "tenant_id":  # a (record, tenant) key: counted by its record's half
                continue
            # The referring records, each once (by the referring column, a unit's three meters were "1").
            by = _COUNTED_BY.get(other.name)
            counted = other.c[by] if by else next(iter(other.primary_key.columns))
            query = select(func.count(distinct(counted))).where(key.parent == id)
            if key.parent.table is table:
                query = query.where(other.c.id != id)  # a record naming itself holds nothing
            found = int(connection.execute(query).scalar_one())
            if found:
                names = _NAMES.get(other.name, (other.name.replace("_", " "),) * 2)
                counts[names] = counts.get(names, 0) + found
    return tuple(Reference(kinds, kind, count) for (kinds, kind), count in counts.items())
