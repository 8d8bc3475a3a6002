"""The migrations build, from an empty database, exactly the schema the code declares; and bring an older
database's records along."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, func, insert, inspect, select, update

from prorata.adapters.sql import tables
from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.migrate import upgrade
from prorata.adapters.sql.schema_revisions import UpgradeRefused
from prorata.adapters.sql.tables import metadata
from prorata.adapters.sql.unit_of_work import SqlaUnitOfWork
from prorata.domain.receipts.lifecycle import ReceiptStatus
from tests.services import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the test's own, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'prorata.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url


def test_migrations_from_empty_match_the_declared_schema(empty_database: str) -> None:
    check(empty_database)


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


def test_receipts_published_before_their_history_was_kept_upgrade_with_their_issue(
    empty_database: str,
) -> None:
    backfilled(empty_database)


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


def test_meters_and_readings_of_an_older_database_keep_their_history_under_the_tenant_keys(
    empty_database: str,
) -> None:
    """0011 gives meters and readings one (record, tenant) key each: on SQLite by rebuilding both
    tables, which must neither lose a reading nor trip over the readings that refer to the meters."""
    kept_history(empty_database)


def kept_history(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine, "0010")
        with engine.begin() as connection:
            history_at_0010(connection)
        assert upgrade(engine).after == "0011"
        with SqlaUnitOfWork(engine) as uow:
            history = [(r.id, r.read_on, r.value) for r in uow.readings.list("t-1", meter_id="m-1").items]
            meters = [m.serial for m in uow.meters.list("t-1", unit_id="u-1").items]
        assert history == [
            ("r-1", date(2025, 12, 31), Decimal(100)),
            ("r-2", date(2026, 3, 31), Decimal("130.5")),
        ]
        assert meters == ["HCA-1"]
    finally:
        engine.dispose()


def history_at_0010(connection: Connection, meter_tenant: str = "t-1") -> None:
    """A unit of tenant t-1, its meter (of `meter_tenant`: another tenant's was not refused before 0011)
    and two readings, as 0010 kept them."""
    for tenant in sorted({"t-1", meter_tenant}):
        connection.execute(insert(tables.tenants).values(id=tenant, name=f"Fincas {tenant}"))
    connection.execute(
        insert(tables.communities).values(id="c-1", tenant_id="t-1", code="C1", name="CP Mayor")
    )
    connection.execute(
        insert(tables.units).values(
            id="u-1", tenant_id="t-1", community_id="c-1", code="1A", kind="dwelling", position=1
        )
    )
    connection.execute(
        insert(tables.meters).values(
            id="m-1",
            tenant_id=meter_tenant,
            unit_id="u-1",
            serial="HCA-1",
            service="heating",
            factor=Decimal(1),
        )
    )
    for id, day, value in (
        ("r-1", date(2025, 12, 31), Decimal(100)),
        ("r-2", date(2026, 3, 31), Decimal("130.5")),
    ):
        connection.execute(
            insert(tables.readings).values(
                id=id, tenant_id=meter_tenant, meter_id="m-1", read_on=day, value=value, source="api"
            )
        )


def test_a_meter_of_another_tenant_than_its_unit_stops_the_upgrade_and_changes_nothing(
    empty_database: str,
) -> None:
    """The upgrade says which record stops it, leaves the schema at 0010 (no half-rebuilt table), and
    goes through once the record is set right."""
    refused_then_applied(empty_database)


def refused_then_applied(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine, "0010")
        with engine.begin() as connection:
            history_at_0010(connection, meter_tenant="t-2")
            before = sorted(inspect(connection).get_table_names())
        with pytest.raises(UpgradeRefused, match="meter m-1 of tenant t-2, on unit u-1 of tenant t-1"):
            upgrade(engine)
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == "0010"
            assert sorted(inspect(connection).get_table_names()) == before
        with engine.begin() as connection:
            connection.execute(update(tables.meters).values(tenant_id="t-1"))
            connection.execute(update(tables.readings).values(tenant_id="t-1"))
        assert upgrade(engine).applied == 1
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(tables.readings)).scalar_one() == 2
    finally:
        engine.dispose()


def test_processes_starting_together_on_one_sqlite_file_upgrade_it_once(tmp_path: Path) -> None:
    """Every serving command upgrades at start: several at once take turns, the later ones find the schema
    current, and the file keeps every record and no half-rebuilt table."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = make_engine(url)
    upgrade(engine, "0010")
    with engine.begin() as connection:
        history_at_0010(connection)
    engine.dispose()
    done: list[object] = []

    def start() -> None:
        mine = make_engine(url)
        try:
            done.append(upgrade(mine).after)
        except Exception as error:
            done.append(error)
        finally:
            mine.dispose()

    starts = [threading.Thread(target=start) for _ in range(5)]
    for thread in starts:
        thread.start()
    for thread in starts:
        thread.join(60)
    assert done == ["0011"] * 5
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert not [t for t in inspect(connection).get_table_names() if t.startswith("_alembic_tmp")]
            assert connection.execute(select(func.count()).select_from(tables.readings)).scalar_one() == 2
    finally:
        engine.dispose()
