"""Port: a remittance laid out as a SEPA direct-debit initiation file (pain.008)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from prorata.domain.collection.sepa_file import PainVersion, RemittanceFile


class RemittanceWriter(Protocol):
    @abstractmethod
    def write(self, remittance: RemittanceFile, version: PainVersion) -> bytes:
        """The pain.008 XML of the remittance in that version, valid against its XSD (a file that would
        not validate raises ValueError rather than be handed out). The same remittance gives the same
        bytes."""
