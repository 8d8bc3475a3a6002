"""The migrations build, from an empty database, exactly the schema the code declares; and bring an older
database's records along."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, insert, inspect

from prorata.adapters.sql import tables
from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.migrate import upgrade
from prorata.adapters.sql.tables import metadata
from prorata.adapters.sql.unit_of_work import SqlaUnitOfWork
from prorata.domain.receipts.lifecycle import ReceiptStatus
from tests.services import fresh_postgres_database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_from_empty_match_the_declared_schema(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        check(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        with fresh_postgres_database() as url:
            check(url)


def check(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second run changes nothing
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
            tables = set(inspect(connection).get_table_names())
        assert differences == []
        assert {
            "tenants",
            "communities",
            "units",
            "residents",
            "meters",
            "readings",
            "settlements",
            "receipts",
        } <= tables
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_receipts_published_before_their_history_was_kept_upgrade_with_their_issue(
    backend: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        backfilled(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        with fresh_postgres_database() as url:
            backfilled(url)


def backfilled(url: str) -> None:
    """A database of the version before (0006) with a settlement published on 3 February 2026 and its
    correction, published on the 10th: the first one's receipt superseded, the correction's issued."""
    engine = make_engine(url)
    try:
        upgrade(engine, "0006")
        with engine.begin() as connection:
            old_rows(connection)
        upgrade(engine)
        with SqlaUnitOfWork(engine) as uow:
            first, correction = (uow.receipts.get(None, id) for id in ("r-first", "r-correction"))
            histories = {
                id: [
                    (e.seq, e.type.value, e.status.value, e.on, e.actor)
                    for e in uow.receipt_events.list(None, receipt_id=id).items
                ]
                for id in ("r-first", "r-correction")
            }
        assert first is not None
        assert correction is not None
        assert (first.status, first.issued_on, first.due_on, first.status_on, first.version) == (
            ReceiptStatus.SUPERSEDED,
            date(2026, 2, 3),
            date(2026, 2, 18),
            date(2026, 2, 10),
            2,
        )
        assert (correction.status, correction.issued_on, correction.due_on, correction.version) == (
            ReceiptStatus.ISSUED,
            date(2026, 2, 10),
            date(2026, 2, 25),
            1,
        )
        assert histories == {
            "r-first": [
                (1, "issued", "issued", date(2026, 2, 3), "prorata"),
                (2, "superseded", "superseded", date(2026, 2, 10), "prorata"),  # by the correction
            ],
            "r-correction": [(1, "issued", "issued", date(2026, 2, 10), "prorata")],
        }
    finally:
        engine.dispose()


def old_rows(connection: Connection) -> None:
    connection.execute(insert(tables.tenants).values(id="t-1", name="Fincas"))
    connection.execute(
        insert(tables.communities).values(id="c-1", tenant_id="t-1", code="C1", name="CP Mayor")
    )
    connection.execute(
        insert(tables.units).values(
            id="u-1", tenant_id="t-1", community_id="c-1", code="1A", kind="dwelling", position=1
        )
    )
    for id, number, published_at, supersedes in (
        ("s-first", 1, datetime(2026, 2, 3, 10, 0, tzinfo=UTC), None),
        ("s-correction", 2, datetime(2026, 2, 10, 23, 30, tzinfo=UTC), "s-first"),
    ):
        connection.execute(
            insert(tables.settlements).values(
                id=id, tenant_id="t-1", community_id="c-1", service="heating", period_from=date(2026, 1, 1),
                period_to=date(2026, 1, 31), terms={}, status="published", number=number,
                published_at=published_at, supersedes=supersedes, corrections_pending=False,
            )
        )  # fmt: skip
    for id, settlement, status in (
        ("r-first", "s-first", "superseded"),
        ("r-correction", "s-correction", "issued"),
    ):
        connection.execute(
            insert(tables.receipts).values(
                id=id, tenant_id="t-1", settlement_id=settlement, unit_id="u-1", number=f"C1-{id}",
                total_cents=1000, currency="EUR", detail={}, status=status,
            )
        )  # fmt: skip
