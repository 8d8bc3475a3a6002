"""Records a management company keeps of its communities: units, residents, meters and readings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from prorata.domain.settlement.request import Service


class UnitKind(StrEnum):
    DWELLING = "dwelling"
    PREMISES = "premises"
    PARKING = "parking"
    STORAGE = "storage"
    OTHER = "other"


class Language(StrEnum):
    ES = "es"
    CA = "ca"
    FR = "fr"
    EN = "en"


class OccupancyRole(StrEnum):
    OWNER = "owner"
    OCCUPANT = "occupant"


class ReadingSource(StrEnum):
    API = "api"
    FILE = "file"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class Community:
    id: str
    tenant_id: str
    code: str
    name: str
    address: str | None = None
    tax_id: str | None = None
    creditor_id: str | None = None
    due_days: int | None = None  # its receipts fall due this many days after issue (None: 15)
    # Collection by direct debit (domain/collection): the account collections are paid into, its bank,
    # and how many days ahead residents are told of a debit (None: the SEPA rulebook's 14).
    iban: str | None = None
    bic: str | None = None
    prenotification_days: int | None = None


@dataclass(frozen=True, slots=True)
class CommunityUnit:
    """A dwelling, premises or parking space of a community, with its keys."""

    id: str
    tenant_id: str
    community_id: str
    code: str
    coefficient: Decimal | None = None
    area: Decimal | None = None
    kind: UnitKind = UnitKind.DWELLING
    # The unit's place in its community's order — the order units were added in (a file's row order
    # for the units it creates). Listings, stored settlements and their receipts follow it, and the
    # largest remainder gives a tie's cent to the unit that comes first.
    position: int = 0


def next_position(units: Iterable[CommunityUnit]) -> int:
    """The position of a unit added after `units` (a community's)."""
    return max((unit.position for unit in units), default=0) + 1


@dataclass(frozen=True, slots=True)
class Occupancy:
    """A resident's hold on a unit from `since` to `until`, both days included; an open end (None)
    reaches back, or on, to any day."""

    unit_id: str
    role: OccupancyRole
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError(f"an occupancy cannot end ({self.until}) before it starts ({self.since})")

    def covers(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)

    def overlaps(self, start: date, end: date) -> bool:
        """Whether the resident held the unit on some day from `start` to `end` (a settlement's period)."""
        return (self.since is None or self.since <= end) and (self.until is None or start <= self.until)


@dataclass(frozen=True, slots=True)
class Resident:
    """One person (or company) across the tenant's units, as owner or occupant of each for a time;
    `external_id` addresses their push notifications, `tax_id` (NIF, NIE, CIF…) tells two people of the
    same name apart."""

    id: str
    tenant_id: str
    name: str
    email: str | None = None
    language: Language = Language.ES
    external_id: str | None = None
    iban: str | None = None
    tax_id: str | None = None
    mandate_id: str | None = None
    mandate_signed_on: date | None = None
    occupancies: tuple[Occupancy, ...] = ()


@dataclass(frozen=True, slots=True)
class Meter:
    """A unit's meter of one service. A meter taken out on `replaced_on` reads no more after that day:
    `replaced_by` (same unit and service) reads from then on."""

    id: str
    tenant_id: str
    unit_id: str
    serial: str
    service: Service
    factor: Decimal = Decimal(1)
    rollover: Decimal | None = None
    replaced_on: date | None = None
    replaced_by: str | None = None


@dataclass(frozen=True, slots=True)
class ReadingCorrection:
    """What a reading said before it was corrected, why, when and by whom (a role, or an import)."""

    value: Decimal
    reason: str
    corrected_at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class MeterReading:
    """What a meter showed on a day. `import_id` names the file that brought it; `corrections` are the
    values it held before, oldest first (its audit trail)."""

    id: str
    tenant_id: str
    meter_id: str
    read_on: date
    value: Decimal
    source: ReadingSource = ReadingSource.API
    import_id: str | None = None
    corrections: tuple[ReadingCorrection, ...] = ()
