"""Converting domain records to table rows and back: the domain stays free of the ORM."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from prorata.domain.access.model import ApiKey, Replay, Tenant
from prorata.domain.access.principal import Role
from prorata.domain.community.model import (
    Community,
    CommunityUnit,
    Language,
    Meter,
    MeterReading,
    Occupancy,
    OccupancyRole,
    ReadingCorrection,
    ReadingSource,
    Resident,
    UnitKind,
)
from prorata.domain.dropzone.model import ClaimState, DropAccount, DropClaim
from prorata.domain.imports.model import (
    ImportJob,
    ImportSource,
    ImportStatus,
    MappingProfile,
    RowError,
    problem_row,
)
from prorata.domain.notifications.model import Notification, NotificationKind, NotificationStatus
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent
from prorata.domain.settlement.request import Period, Service
from prorata.domain.settlement.stored import IssuedReceipt, ReceiptStatus, Settlement, SettlementStatus
from prorata.domain.webhooks.model import DeliveryStatus, Webhook, WebhookDelivery

Row = dict[str, Any]


def plain_row(item: object) -> Row:
    """The record's fields as columns; enums become their values."""
    row = {name: getattr(item, name) for name in _names(type(item))}
    return {k: (v.value if hasattr(v, "value") and not isinstance(v, date) else v) for k, v in row.items()}


_NAMES: dict[type, tuple[str, ...]] = {}


def _names(kind: type) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def tenant(row: Row) -> Tenant:
    return Tenant(**row)


def api_key(row: Row) -> ApiKey:
    return ApiKey(**{**row, "role": Role(row["role"])})


def replay(row: Row) -> Replay:
    return Replay(**row)


def community(row: Row) -> Community:
    return Community(**row)


def unit(row: Row) -> CommunityUnit:
    return CommunityUnit(**{**row, "kind": UnitKind(row["kind"])})


def resident_row(item: Resident) -> Row:
    row = plain_row(item)
    del row["occupancies"]
    return row


def occupancy_rows(item: Resident, ids: Callable[[], str]) -> list[Row]:
    """The resident's occupancies, each under a new id (they are replaced whole, never one by one)."""
    return [
        {
            "id": ids(),
            "resident_id": item.id,
            "unit_id": o.unit_id,
            "role": o.role.value,
            "since": o.since,
            "until": o.until,
        }
        for o in item.occupancies
    ]


def resident(row: Row, occupancies: list[Row]) -> Resident:
    return Resident(
        **{**row, "language": Language(row["language"])},
        occupancies=tuple(
            Occupancy(o["unit_id"], OccupancyRole(o["role"]), o["since"], o["until"])
            for o in sorted(occupancies, key=lambda o: (o["since"] or date.min, o["unit_id"], o["role"]))
        ),
    )


def meter_row(item: Meter) -> Row:
    # Written out rather than `plain_row`, as `reading_row` is: an import writes a meter per row of its file.
    return {
        "id": item.id,
        "tenant_id": item.tenant_id,
        "unit_id": item.unit_id,
        "serial": item.serial,
        "service": item.service.value,
        "factor": item.factor,
        "rollover": item.rollover,
        "replaced_on": item.replaced_on,
        "replaced_by": item.replaced_by,
    }


def meter(row: Row) -> Meter:
    return Meter(**{**row, "service": Service(row["service"])})


def reading_row(item: MeterReading) -> Row:
    # Written out rather than `plain_row`: an import writes a reading per row of its file (a third of
    # the time of 100,000 readings went to the generic conversion).
    trail = [
        {"value": format(c.value, "f"), "reason": c.reason, "at": c.corrected_at.isoformat(), "by": c.by}
        for c in item.corrections
    ]
    return {
        "id": item.id,
        "tenant_id": item.tenant_id,
        "meter_id": item.meter_id,
        "read_on": item.read_on,
        "value": item.value,
        "source": item.source.value,
        "import_id": item.import_id,
        "corrections": trail or None,
    }


def reading(row: Row) -> MeterReading:
    corrections = tuple(
        ReadingCorrection(Decimal(c["value"]), c["reason"], datetime.fromisoformat(c["at"]), c["by"])
        for c in row["corrections"] or ()
    )
    return MeterReading(**{**row, "source": ReadingSource(row["source"]), "corrections": corrections})


def settlement_row(item: Settlement) -> Row:
    row = plain_row(item)
    period = row.pop("period")
    return {**row, "period_from": period.start, "period_to": period.end}


def settlement(row: Row) -> Settlement:
    values = dict(row)
    period = Period(values.pop("period_from"), values.pop("period_to"))
    return Settlement(
        **{**values, "service": Service(values["service"]), "status": SettlementStatus(values["status"])},
        period=period,
    )


def receipt(row: Row) -> IssuedReceipt:
    return IssuedReceipt(**{**row, "status": ReceiptStatus(row["status"])})


def receipt_event(row: Row) -> ReceiptEvent:
    return ReceiptEvent(**{**row, "type": EventType(row["type"]), "status": ReceiptStatus(row["status"])})


def import_job(row: Row) -> ImportJob:
    return ImportJob(**{**row, "source": ImportSource(row["source"]), "status": ImportStatus(row["status"])})


def row_error_row(item: RowError) -> Row:
    return {
        "id": item.id,
        "import_id": item.import_id,
        "tenant_id": item.tenant_id,
        "problem": problem_row(item.problem),
    }


def row_error(row: Row) -> RowError:
    problem = {k: v for k, v in row["problem"].items() if v is not None}
    return RowError(
        row["id"],
        row["import_id"],
        row["tenant_id"],
        Problem(**{**problem, "code": ErrorCode(problem["code"])}),
    )


def mapping_profile(row: Row) -> MappingProfile:
    return MappingProfile(**row)


def drop_account_row(item: DropAccount) -> Row:
    return {**plain_row(item), "public_keys": list(item.public_keys)}


def drop_account(row: Row) -> DropAccount:
    return DropAccount(**{**row, "public_keys": tuple(row["public_keys"])})


def drop_claim(row: Row) -> DropClaim:
    return DropClaim(**{**row, "state": ClaimState(row["state"])})


def notification(row: Row) -> Notification:
    return Notification(
        **{**row, "kind": NotificationKind(row["kind"]), "status": NotificationStatus(row["status"])}
    )


def webhook_row(item: Webhook) -> Row:
    return {**plain_row(item), "events": list(item.events)}


def webhook(row: Row) -> Webhook:
    return Webhook(**{**row, "events": tuple(row["events"])})


def webhook_delivery(row: Row) -> WebhookDelivery:
    return WebhookDelivery(**{**row, "status": DeliveryStatus(row["status"])})
