"""The ports collection by direct debit works with besides `Services`, wired by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the fields' types only: every command that wires the components imported them
    from prorata.domain.ports.bank_accounts import BankAccounts
    from prorata.domain.ports.bank_file_reader import BankFileReader
    from prorata.domain.ports.remittance_writer import RemittanceWriter


@dataclass(frozen=True, slots=True)
class CollectionPorts:
    accounts: BankAccounts
    writer: RemittanceWriter
    reader: BankFileReader
