"""The unit of work: one connection and transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import IntegrityError

from prorata.adapters.sql import rows, tables
from prorata.adapters.sql.repository import SqlaRepository
from prorata.adapters.sql.residents import SqlaResidentRepository
from prorata.domain.access.model import ApiKey, Replay, Tenant
from prorata.domain.community.model import Community, CommunityUnit, Meter, MeterReading, Resident
from prorata.domain.dropzone.model import DropAccount, DropClaim
from prorata.domain.imports.model import ImportJob, MappingProfile, RowError
from prorata.domain.ports.repository import Repository
from prorata.domain.settlement.stored import IssuedReceipt, Settlement


class SqlaUnitOfWork:
    tenants: Repository[Tenant]
    keys: Repository[ApiKey]
    replays: Repository[Replay]
    communities: Repository[Community]
    units: Repository[CommunityUnit]
    residents: Repository[Resident]
    meters: Repository[Meter]
    readings: Repository[MeterReading]
    settlements: Repository[Settlement]
    receipts: Repository[IssuedReceipt]
    imports: Repository[ImportJob]
    import_errors: Repository[RowError]
    mapping_profiles: Repository[MappingProfile]
    drop_accounts: Repository[DropAccount]
    drop_claims: Repository[DropClaim]

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self.engine.connect()
        connection.begin()
        self.connection = connection
        plain = rows.plain_row
        self.tenants = SqlaRepository[Tenant](connection, tables.tenants, plain, rows.tenant)
        self.keys = SqlaRepository[ApiKey](connection, tables.api_keys, plain, rows.api_key)
        self.replays = SqlaRepository[Replay](connection, tables.replays, plain, rows.replay)
        self.communities = SqlaRepository[Community](connection, tables.communities, plain, rows.community)
        self.units = SqlaRepository[CommunityUnit](connection, tables.units, plain, rows.unit)
        self.residents = SqlaResidentRepository(connection)
        self.meters = SqlaRepository[Meter](connection, tables.meters, plain, rows.meter)
        self.readings = SqlaRepository[MeterReading](connection, tables.readings, plain, rows.reading)
        self.settlements = SqlaRepository[Settlement](
            connection, tables.settlements, rows.settlement_row, rows.settlement
        )
        self.receipts = SqlaRepository[IssuedReceipt](connection, tables.receipts, plain, rows.receipt)
        self.imports = SqlaRepository[ImportJob](connection, tables.imports, plain, rows.import_job)
        self.import_errors = SqlaRepository[RowError](
            connection, tables.import_errors, rows.row_error_row, rows.row_error
        )
        self.mapping_profiles = SqlaRepository[MappingProfile](
            connection, tables.mapping_profiles, plain, rows.mapping_profile
        )
        self.drop_accounts = SqlaRepository[DropAccount](
            connection, tables.drop_accounts, rows.drop_account_row, rows.drop_account
        )
        self.drop_claims = SqlaRepository[DropClaim](connection, tables.drop_claims, plain, rows.drop_claim)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self.connection is not None
        self.connection.rollback()
        self.connection.close()
        self.connection = None

    def commit(self) -> None:
        assert self.connection is not None
        self.connection.commit()
        self.connection.begin()

    def rollback(self) -> None:
        assert self.connection is not None
        self.connection.rollback()
        self.connection.begin()

    def next_number(self, tenant_id: str, sequence: str) -> int:
        assert self.connection is not None
        table = tables.sequences
        key = (table.c.tenant_id == tenant_id) & (table.c.name == sequence)
        for _ in range(3):
            bumped = self.connection.execute(
                update(table).where(key).values(value=table.c.value + 1).returning(table.c.value)
            ).scalar_one_or_none()
            if bumped is not None:
                return int(bumped)
            try:
                with self.connection.begin_nested():
                    self.connection.execute(insert(table).values(tenant_id=tenant_id, name=sequence, value=1))
                return 1
            except IntegrityError:
                continue  # another transaction created it first: bump that one
        raise RuntimeError(f"could not take the next {sequence} number")
