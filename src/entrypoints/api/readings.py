"""Meters and their replacement; readings: bulk ingestion with client idempotency keys, corrections."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import jsonify, make_response, request
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from prorata.application.access import fetch, require
from prorata.application.meters import Replacement, delete_meter, replace_meter
from prorata.application.reading_corrections import correct_reading
from prorata.application.readings import ingest_readings
from prorata.domain.access.principal import Action
from prorata.domain.community.model import Meter, MeterReading
from prorata.domain.settlement.request import Service
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.errors import invalid
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, precondition, window
from prorata.entrypoints.api.schemas import (
    MeterPatchSchema,
    MeterReplacementSchema,
    MeterSchema,
    ReadingBatchResultSchema,
    ReadingBatchSchema,
    ReadingCorrectionSchema,
    ReadingQuerySchema,
    ReadingSchema,
    ReplacementSchema,
    UnitQuerySchema,
)

MAX_KEY = 200

meters_blp = ResourceBlueprint("meters", __name__, url_prefix="/v1", description="Meters of the units")
blp = ResourceBlueprint("readings", __name__, url_prefix="/v1", description="Meter readings")


@meters_blp.route("/meters")
class Meters(MethodView):
    @meters_blp.arguments(UnitQuerySchema, location="query")
    @meters_blp.response(200, MeterSchema(many=True))
    @meters_blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[Meter]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            page = uow.meters.list(caller.tenant_scope, **query, **window(pagination_parameters))
        return paged(page, pagination_parameters)

    @meters_blp.arguments(MeterSchema)
    @meters_blp.response(201, MeterSchema)
    def post(self, data: dict[str, Any]) -> Meter:
        caller = principal()
        require(caller, Action.WRITE)
        parts = components()
        with work() as uow:
            unit = fetch(uow.units, caller, data["unit_id"], "unit")
            meter = Meter(
                id=parts.ids.new(), tenant_id=unit.tenant_id, **{**data, "service": Service(data["service"])}
            )
            uow.meters.add(meter)
            uow.commit()
        return meter


@meters_blp.route("/meters/<meter_id>")
class MeterItem(MethodView):
    @meters_blp.etag
    @meters_blp.response(200, MeterSchema)
    def get(self, meter_id: str) -> Meter:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            return fetch(uow.meters, caller, meter_id, "meter")

    @meters_blp.arguments(MeterPatchSchema(partial=True))
    @meters_blp.response(200, MeterSchema)
    def patch(self, data: dict[str, Any], meter_id: str) -> Any:
        caller = principal()
        require(caller, Action.WRITE)
        with work() as uow:
            current = fetch(uow.meters, caller, meter_id, "meter")
            precondition(MeterSchema(), current)
            if "service" in data:
                data["service"] = Service(data["service"])
            changed = replace(current, **data)
            uow.meters.update(changed)
            uow.commit()
        return changed

    @meters_blp.response(204)
    def delete(self, meter_id: str) -> Any:
        """Delete a meter never read; one with readings is a 409 (its history is kept)."""
        caller = principal()
        require(caller, Action.DELETE)
        with work() as uow:
            current = fetch(uow.meters, caller, meter_id, "meter")
            precondition(MeterSchema(), current)
            delete_meter(uow, caller, current)
        return None


@meters_blp.route("/meters/<meter_id>/replacement", methods=["POST"])
@meters_blp.arguments(MeterReplacementSchema)
@meters_blp.response(201, ReplacementSchema)
def replace_a_meter(_data: dict[str, Any], meter_id: str) -> Replacement:
    """Record a meter's replacement: the old meter's final reading, the new meter's serial and initial
    reading, on one day; the new meter belongs to the same unit and service. Settlements count the old
    meter up to its final reading and the new one from its initial reading. 409 if already replaced."""
    with work() as uow:
        return replace_meter(uow, components().ids, principal(), meter_id, request.get_json())


@blp.route("/readings/<reading_id>")
class ReadingItem(MethodView):
    @blp.etag
    @blp.response(200, ReadingSchema)
    def get(self, reading_id: str) -> MeterReading:
        """A reading, with the values it held before it was corrected (`corrections`, oldest first)."""
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            return fetch(uow.readings, caller, reading_id, "reading")

    @blp.arguments(ReadingCorrectionSchema)
    @blp.response(200, ReadingSchema)
    def put(self, _data: dict[str, Any], reading_id: str) -> MeterReading:
        """Correct a reading: `{"value", "reason"}`. The value it held goes to its `corrections`; a
        published settlement that counted it is flagged `corrections_pending` (its receipts stand)."""
        caller = principal()
        require(caller, Action.WRITE)
        with work() as uow:
            precondition(ReadingSchema(), fetch(uow.readings, caller, reading_id, "reading"))
            return correct_reading(uow, components().clock, caller, reading_id, request.get_json())


@blp.route("/readings")
class Readings(MethodView):
    @blp.arguments(ReadingQuerySchema, location="query")
    @blp.response(200, ReadingSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[MeterReading]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            page = uow.readings.list(caller.tenant_scope, **query, **window(pagination_parameters))
        return paged(page, pagination_parameters)

    @blp.arguments(ReadingBatchSchema)
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "A replay with the same key returns the first answer, storing nothing twice.",
            }
        ]
    )
    @blp.response(201, ReadingBatchResultSchema)
    def post(self, _data: dict[str, Any]) -> Any:
        """Store readings in bulk: all of them or, on any error, none."""
        parts = components()
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and len(key) > MAX_KEY:
            raise invalid(f"Idempotency-Key is longer than {MAX_KEY} characters", "Idempotency-Key")
        with work() as uow:
            status, answer = ingest_readings(uow, parts.ids, principal(), request.get_json(), key)
        return make_response(jsonify(answer), status)
