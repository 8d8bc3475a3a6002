"""A resident's own view with her own key: her record, her receipts with their history, and her meters'
readings of the times she held their units. Another resident's anything is a 404; any other key a 403."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields

from prorata.application.me import held_units, me, my_readings
from prorata.application.receipt_events import history_of
from prorata.application.receipts import readable_receipt, readable_receipts
from prorata.domain.community.iban import mask_iban
from prorata.domain.community.model import Language, OccupancyRole, UnitKind
from prorata.domain.receipts.catalogue import catalogue
from prorata.domain.settlement.request import Service
from prorata.entrypoints.api.context import principal, work
from prorata.entrypoints.api.fields import DecimalString
from prorata.entrypoints.api.receipt_event_schemas import ReceiptWithHistorySchema, event_json
from prorata.entrypoints.api.receipts import receipt_json, receipts_json
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window
from prorata.entrypoints.api.schemas import ReceiptQuerySchema, ReceiptSchema, choice

blp = ResourceBlueprint(
    "me", __name__, url_prefix="/v1", description="A resident's own record, receipts and readings"
)


class HeldCommunitySchema(Schema):
    id = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(allow_none=True)


class HeldUnitSchema(Schema):
    """A unit she holds or held, from `since` to `until` (both included; none: no start, no end)."""

    unit_id = fields.String(required=True)
    code = fields.String(required=True)
    kind = fields.String(required=True, validate=choice(UnitKind))
    community = fields.Nested(HeldCommunitySchema, required=True)
    role = fields.String(required=True, validate=choice(OccupancyRole))
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)


class MeSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    language = fields.String(required=True, validate=choice(Language))
    iban = fields.String(
        allow_none=True, metadata={"description": "masked: only its country, check digits and last 4"}
    )
    units = fields.List(fields.Nested(HeldUnitSchema), required=True)


class MyReadingSchema(Schema):
    date = fields.Date(required=True)
    value = DecimalString(required=True)


class MyMeterSchema(Schema):
    """A meter of a unit she holds or held, with the readings of her times there, oldest first."""

    meter_id = fields.String(required=True)
    serial = fields.String(required=True)
    service = fields.String(required=True, validate=choice(Service))
    unit_id = fields.String(required=True)
    unit_code = fields.String(required=True)
    readings = fields.List(fields.Nested(MyReadingSchema), required=True)


@blp.route("/me")
@blp.response(200, MeSchema)
def get_me() -> dict[str, Any]:
    """The resident the key names: her record (IBAN masked) and the units she holds or held."""
    with work() as uow:
        resident = me(uow, principal())
        held = held_units(uow, resident)
    return {
        "id": resident.id,
        "name": resident.name,
        "email": resident.email,
        "language": resident.language.value,
        "iban": None if resident.iban is None else mask_iban(resident.iban),
        "units": [
            {
                "unit_id": h.unit.id,
                "code": h.unit.code,
                "kind": h.unit.kind.value,
                "community": {
                    "id": h.community.id,
                    "code": h.community.code,
                    "name": h.community.name,
                    "address": h.community.address,
                },
                "role": h.occupancy.role.value,
                "since": h.occupancy.since,
                "until": h.occupancy.until,
            }
            for h in held
        ],
    }


@blp.route("/me/receipts")
@blp.arguments(ReceiptQuerySchema, location="query")
@blp.response(200, ReceiptSchema(many=True))
@blp.paginate()
def list_my_receipts(
    query: dict[str, Any], pagination_parameters: PaginationParameters
) -> list[dict[str, Any]]:
    """Her receipts: those of the units she held, of the settlements of the times she held them. The
    same filters as /v1/receipts."""
    caller = principal()
    with work() as uow:
        me(uow, caller)
        page = readable_receipts(uow, caller, **query, **window(pagination_parameters))
        return receipts_json(uow, paged(page, pagination_parameters))


@blp.route("/me/receipts/<receipt_id>")
@blp.etag
@blp.response(200, ReceiptWithHistorySchema)
def get_my_receipt(receipt_id: str) -> dict[str, Any]:
    """One of her receipts with its whole calculation and its history, oldest first."""
    caller = principal()
    with work() as uow:
        words = catalogue(me(uow, caller).language.value)  # a bank's reasons in her language
        receipt = readable_receipt(uow, caller, receipt_id)
        history = history_of(uow, receipt)
        return {**receipt_json(receipt, uow), "history": [event_json(e, words) for e in history]}


@blp.route("/me/readings")
@blp.response(200, MyMeterSchema(many=True))
def list_my_readings() -> list[dict[str, Any]]:
    """Per meter of the units she holds or held, its readings dated within her times there."""
    with work() as uow:
        histories = my_readings(uow, principal())
    return [
        {
            "meter_id": h.meter.id,
            "serial": h.meter.serial,
            "service": h.meter.service.value,
            "unit_id": h.unit.id,
            "unit_code": h.unit.code,
            "readings": [{"date": r.read_on, "value": r.value} for r in h.readings],
        }
        for h in histories
    ]
