"""One SQLAlchemy Core repository for every kind of record, scoped by tenant.

A repository bound to a tenant adds `tenant_id = bound` to every statement it runs, whatever tenant it is
passed: a caller's unit of work reaches that caller's tenant only, even where a view forgot to check. A
table without a `tenant_id` column (tenants) is not filtered."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, Table, delete, func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError

from prorata.adapters.sql.bulk import CopyRefused, copy_rows
from prorata.adapters.sql.in_use import record_name, references_to
from prorata.adapters.sql.references import refuse_foreign_references
from prorata.adapters.sql.rows import Row
from prorata.domain.ports.repository import Conflict, InUse, Missing, Page, Unstorable

T = TypeVar("T")
# From this many records on, PostgreSQL gets them by COPY: 50,000 units of an imported workbook
# take a tenth of the time an INSERT per row does.
_COPY_FROM = 500


class SqlaRepository(Generic[T]):
    def __init__(
        self,
        connection: Connection,
        table: Table,
        to_row: Callable[[T], Row],
        from_row: Callable[[Row], T],
        bound: str | None = None,
        order: tuple[str | ColumnElement[Any], ...] = (),
    ) -> None:
        self.connection = connection
        self.table = table
        self.to_row = to_row
        self.from_row = from_row
        self.bound = bound
        self.order = order  # columns (or expressions) listings sort by before the id (oldest first)

    def add(self, item: T) -> None:
        row = self.own_row(item)
        self.own_references([row])
        with self.guarded():
            self.connection.execute(insert(self.table).values(row))

    def add_all(self, items: list[T]) -> None:
        if not items:
            return
        rows = [self.own_row(item) for item in items]
        self.own_references(rows)
        with self.guarded():
            self.insert_rows(self.table, rows)

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
        return Page([self.load(dict(row)) for row in rows], len(rows) if total is None else total)

    def page_query(
        self, tenant: str | None, offset: int, limit: int | None, where: dict[str, object]
    ) -> tuple[Select[Any], int | None]:
        """The query for one page of the records matching `where`, and how many match in all — None when
        the page is all of them (no offset, no limit): its length says it, and no count is asked (a
        use case's look-ups list without a limit, several times for each event a worker handles)."""
        query = self.filtered(self.scoped(select(self.table), tenant), where)
        total = None
        if offset or limit is not None:
            total = self.connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        sort = (self.table.c[o] if isinstance(o, str) else o for o in self.order)
        query = query.order_by(*sort, self.table.c.id).offset(offset)
        return (query if limit is None else query.limit(limit)), total

    def update(self, item: T) -> None:
        row = self.own_row(item)
        self.own_references([row])
        with self.guarded():
            written = self.connection.execute(
                update(self.table).where(self.table.c.id == row["id"], *self.confined(None)).values(row)
            )
        self.written(written.rowcount, row["id"])

    def delete(self, item: T) -> None:
        row = self.own_row(item)
        try:
            with self.guarded():
                written = self.connection.execute(
                    delete(self.table).where(self.table.c.id == row["id"], *self.confined(None))
                )
        except Conflict:
            references = references_to(self.connection, self.table, row["id"])
            if references:
                raise InUse(record_name(self.table), references) from None
            raise
        self.written(written.rowcount, row["id"])

    def delete_where(self, tenant: str | None, **where: object) -> int:
        """Delete every record matching `where`; returns how many."""
        query = delete(self.table).where(*self.confined(tenant))
        for name, value in where.items():
            query = query.where(self.table.c[name] == value)
        with self.guarded():
            return int(self.connection.execute(query).rowcount)

    def update_if(self, item: T, **expected: object) -> bool:
        """Replace the record only while its stored fields still equal `expected` (compare and set)."""
        row = self.own_row(item)
        query = update(self.table).where(self.table.c.id == row["id"], *self.confined(None))
        for name, value in expected.items():
            query = query.where(self.table.c[name] == value)
        with self.guarded():
            return bool(self.connection.execute(query.values(row)).rowcount == 1)

    def load(self, row: Row) -> T:
        return self.from_row(row)

    def scoped(self, query: Select[Any], tenant: str | None) -> Select[Any]:
        return query.where(*self.confined(tenant))

    def confined(self, tenant: str | None) -> tuple[ColumnElement[bool], ...]:
        """The conditions that keep a statement within `tenant` (None: any) and within the bound tenant: a
        tenant passed that is not the bound one finds nothing."""
        column = self.table.c.get("tenant_id")
        if column is None and self.table.name == "tenants":
            column = self.table.c.id  # a tenant-bound unit of work sees its own tenant only
        if column is None:
            return ()
        tenants = dict.fromkeys(t for t in (tenant, self.bound) if t is not None)
        return tuple(column == t for t in tenants)

    def own_references(self, rows: Sequence[Row], table: Table | None = None) -> None:
        """A bound repository writes no row that points at another tenant's record."""
        if self.bound is not None:
            refuse_foreign_references(
                self.connection, self.table if table is None else table, rows, self.bound
            )

    def own_row(self, item: T) -> Row:
        """The item's row; a bound repository refuses another tenant's record, rather than write it."""
        row = self.to_row(item)
        if self.bound is not None and "tenant_id" in self.table.c and row.get("tenant_id") != self.bound:
            raise Missing(f"no such record in this tenant ({self.table.name} {row.get('id')})")
        return row

    def written(self, count: int, id: object) -> None:
        """A bound repository's update or delete that matched nothing was given another tenant's record (or
        one that is gone): say so rather than pretend it was written."""
        if count == 0 and self.bound is not None:
            raise Missing(f"no such record in this tenant ({self.table.name} {id})")

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
        except DataError as error:
            raise Unstorable(str(error.orig).splitlines()[0]) from None
        except CopyRefused as error:
            if "too long" in str(error) or "out of range" in str(error):
                raise Unstorable(str(error).splitlines()[0]) from None
            raise Conflict(_reason(error)) from None


def _reason(error: BaseException | None) -> str:
    text = str(error).lower()
    if "unique" in text or "duplicate" in text:
        return "a record with the same unique values exists"
    if "foreign key" in text:
        return "other records refer to it, or it refers to a record that does not exist"
    return "the database refused the change"
