"""One SQLAlchemy Core repository for every kind of record, scoped by tenant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Select, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql.bulk import CopyRefused, copy_rows
from prorata.adapters.sql.rows import Row
from prorata.domain.ports.repository import Conflict, Page

T = TypeVar("T")
# From this many records on, PostgreSQL gets them by COPY: 50,000 units of an imported workbook
# take a tenth of the time an INSERT per row does.
_COPY_FROM = 500


class SqlaRepository(Generic[T]):
    def __init__(
        self, connection: Connection, table: Table, to_row: Callable[[T], Row], from_row: Callable[[Row], T]
    ) -> None:
        self.connection = connection
        self.table = table
        self.to_row = to_row
        self.from_row = from_row

    def add(self, item: T) -> None:
        with self.guarded():
            self.connection.execute(insert(self.table).values(self.to_row(item)))

    def add_all(self, items: list[T]) -> None:
        if not items:
            return
        with self.guarded():
            self.insert_rows(self.table, [self.to_row(item) for item in items])

    def insert_rows(self, table: Table, rows: list[Row]) -> None:
        if len(rows) >= _COPY_FROM and self.connection.dialect.name == "postgresql":
            copy_rows(self.connection, table, rows)
        elif rows:
            self.connection.execute(insert(table), rows)

    def get(self, tenant: str | None, id: str) -> T | None:
        found = self.connection.execute(self.scoped(select(self.table), tenant).where(self.table.c.id == id))
        row = found.mappings().first()
        return None if row is None else self.load(dict(row))

    def list(
        self, tenant: str | None, *, offset: int = 0, limit: int | None = None, **where: object
    ) -> Page[T]:
        query, total = self.page_query(tenant, offset, limit, where)
        rows = self.connection.execute(query).mappings().all()
        return Page([self.load(dict(row)) for row in rows], total)

    def page_query(
        self, tenant: str | None, offset: int, limit: int | None, where: dict[str, object]
    ) -> tuple[Select[Any], int]:
        """The query for one page of the records matching `where`, and how many match in all."""
        query = self.filtered(self.scoped(select(self.table), tenant), where)
        total = self.connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(self.table.c.id).offset(offset)
        return (query if limit is None else query.limit(limit)), total

    def update(self, item: T) -> None:
        row = self.to_row(item)
        with self.guarded():
            self.connection.execute(update(self.table).where(self.table.c.id == row["id"]).values(row))

    def delete(self, item: T) -> None:
        row = self.to_row(item)
        with self.guarded():
            self.connection.execute(delete(self.table).where(self.table.c.id == row["id"]))

    def delete_where(self, tenant: str | None, **where: object) -> int:
        """Delete every record matching `where`; returns how many."""
        query = delete(self.table)
        if tenant is not None:
            query = query.where(self.table.c.tenant_id == tenant)
        for name, value in where.items():
            query = query.where(self.table.c[name] == value)
        with self.guarded():
            return int(self.connection.execute(query).rowcount)

    def load(self, row: Row) -> T:
        return self.from_row(row)

    def scoped(self, query: Select[Any], tenant: str | None) -> Select[Any]:
        if tenant is not None and "tenant_id" in self.table.c:
            return query.where(self.table.c.tenant_id == tenant)
        return query

    def filtered(self, query: Select[Any], where: dict[str, object]) -> Select[Any]:
        for name, value in where.items():
            if name.endswith("__from"):
                query = query.where(self.table.c[name.removesuffix("__from")] >= value)
            elif name.endswith("__to"):
                query = query.where(self.table.c[name.removesuffix("__to")] <= value)
            else:
                column = self.table.c[name]
                query = query.where(column.in_(value) if isinstance(value, list | tuple) else column == value)
        return query

    @contextmanager
    def guarded(self) -> Iterator[None]:
        """A failed write becomes Conflict and, in a savepoint, leaves the unit of work usable."""
        try:
            with self.connection.begin_nested():
                yield
        except IntegrityError as error:
            raise Conflict(_reason(error.orig)) from None
        except CopyRefused as error:
            raise Conflict(_reason(error)) from None


def _reason(error: BaseException | None) -> str:
    text = str(error).lower()
    if "unique" in text or "duplicate" in text:
        return "a record with the same unique values exists"
    if "foreign key" in text:
        return "other records refer to it, or it refers to a record that does not exist"
    return "the database refused the change"
