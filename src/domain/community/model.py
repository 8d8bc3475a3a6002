"""Records a management company keeps of its communities: units, residents, meters and readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True, slots=True)
class Occupancy:
    unit_id: str
    role: OccupancyRole
    since: date | None = None


@dataclass(frozen=True, slots=True)
class Resident:
    """An owner or occupant; `external_id` addresses their push notifications."""

    id: str
    tenant_id: str
    name: str
    email: str | None = None
    language: Language = Language.ES
    external_id: str | None = None
    iban: str | None = None
    mandate_id: str | None = None
    mandate_signed_on: date | None = None
    occupancies: tuple[Occupancy, ...] = ()


@dataclass(frozen=True, slots=True)
class Meter:
    id: str
    tenant_id: str
    unit_id: str
    serial: str
    service: Service
    factor: Decimal = Decimal(1)
    rollover: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MeterReading:
    id: str
    tenant_id: str
    meter_id: str
    read_on: date
    value: Decimal
    source: ReadingSource = ReadingSource.API
