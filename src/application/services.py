"""The ports a use case works with besides its unit of work, wired once by the composition root and
handed to use cases as one object (a use case reads only the ones it needs)."""

from __future__ import annotations

from dataclasses import dataclass

from prorata.domain.ports.bank_accounts import BankAccounts
from prorata.domain.ports.blob_store import BlobStore
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.drop_outcomes import DropOutcomes
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.ports.task_queue import TaskQueue


@dataclass(frozen=True, slots=True)
class Services:
    clock: Clock
    ids: IdGenerator
    blobs: BlobStore
    reader: SpreadsheetReader
    queue: TaskQueue
    drop_outcomes: DropOutcomes
    accounts: BankAccounts  # what a file's community IBAN is checked with, as the API checks it
