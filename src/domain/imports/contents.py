"""What a received file says, community by community, as `interpret` finds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from prorata.domain.imports.creditor_columns import CreditorCell
from prorata.domain.problems import Problem
from prorata.domain.readings.extract import CurrentReading, UnitReading
from prorata.domain.readings.headers import Field
from prorata.domain.settlement.request import FixedKey, Service


@dataclass(slots=True)
class UnitRow:
    code: str
    row: int
    coefficient: Decimal | None = None
    area: Decimal | None = None
    owner: str | None = None
    iban: str | None = None
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class CostRow:
    row: int
    concept: str
    amount: Decimal
    service: Service | None
    consumption_share: Decimal | None
    fixed_key: FixedKey | None


@dataclass(slots=True)
class CommunityFile:
    """Everything the file says about one community."""

    code: str
    name: str | None = None
    units: dict[str, UnitRow] = field(default_factory=dict)
    readings: list[UnitReading] = field(default_factory=list)
    # Rows that give only the current reading: the import counts them from the meter's history.
    current_only: list[CurrentReading] = field(default_factory=list)
    # The service a reading's row names, when the readings sheet has a service column (a file with
    # heat cost allocators and hot water meters): keyed by the reading's row.
    reading_services: dict[int, Service] = field(default_factory=dict)
    costs: list[CostRow] = field(default_factory=list)
    unit_amounts: dict[str, tuple[str, Decimal, int]] = field(default_factory=dict)
    # What its community columns say of it as a creditor (account, BIC, creditor identifier): each
    # value as first given, by column and text — checked when the community is updated.
    creditor: dict[tuple[Field, str], CreditorCell] = field(default_factory=dict)


@dataclass(slots=True)
class FileContents:
    communities: dict[str, CommunityFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rows_total: int = 0
    # (sheet, row) of every row with a problem: a row with two bad cells is one rejected row.
    rejected: set[tuple[str, int]] = field(default_factory=set)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def community(self, code: str) -> CommunityFile:
        found = self.communities.get(code)  # not setdefault: that would make one for every row
        if found is None:
            found = self.communities[code] = CommunityFile(code)
        return found
