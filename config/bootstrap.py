"""The composition root: the one place that picks adapters for the core's ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dramatiq
from sqlalchemy import Engine

from prorata.adapters.dramatiq_queue import DramatiqTaskQueue, make_broker
from prorata.adapters.local_blob_store import LocalBlobStore
from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits
from prorata.adapters.sql.engine import make_engine
from prorata.adapters.sql.migrate import upgrade
from prorata.adapters.sql.unit_of_work import SqlaUnitOfWork
from prorata.adapters.system import SystemUtcClock, Uuid7Ids
from prorata.config.settings import Settings
from prorata.domain.ports.blob_store import BlobStore
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.ports.task_queue import TaskQueue
from prorata.domain.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Components:
    settings: Settings
    spreadsheet_reader: SpreadsheetReader
    clock: Clock
    ids: IdGenerator
    engine: Engine
    unit_of_work: Callable[[], UnitOfWork]
    blobs: BlobStore
    broker: dramatiq.Broker
    queue: TaskQueue

    def upgrade_database(self) -> None:
        """Apply the migrations; running it again changes nothing."""
        upgrade(self.engine)


def bootstrap(settings: Settings | None = None) -> Components:
    """Wire the adapters. Nothing connects yet: the engine opens connections when first used."""
    settings = settings or Settings.from_environment()
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    limits = FileLimits(max_bytes=settings.max_file_bytes, max_rows=settings.max_file_rows)
    engine = make_engine(settings.database_url)
    broker = make_broker(settings.broker_url, settings.broker_namespace)
    return Components(
        settings=settings,
        spreadsheet_reader=AnyFormatSpreadsheetReader(limits),
        clock=SystemUtcClock(),
        ids=Uuid7Ids(),
        engine=engine,
        unit_of_work=lambda: SqlaUnitOfWork(engine),
        blobs=LocalBlobStore(settings.blob_dir),
        broker=broker,
        queue=DramatiqTaskQueue(broker),
    )
