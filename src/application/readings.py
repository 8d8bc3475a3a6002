"""Use case: bulk reading ingestion, idempotent by the client's key and by (meter, date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from prorata.application.access import require
from prorata.application.idempotency import Answer, fingerprint, remember, replayed
from prorata.application.json_fields import FieldReader
from prorata.domain.access.principal import Action, Principal
from prorata.domain.community.meter_history import falls, reader_on
from prorata.domain.community.model import Meter, MeterReading, ReadingSource
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, InvalidInput, Problem

MAX_READINGS = 10_000


def ingest_readings(
    uow: UnitOfWork, ids: IdGenerator, principal: Principal, body: object, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    """Store every reading of `body` or none. A reading already stored for the same meter and date with
    the same value is left as it is; with another value it is an error (a correction is a PUT, with a
    reason). A value below the meter's reading before (or above its reading after) is
    `negative_consumption`, unless the meter rolls over. With an idempotency key, a replay returns the
    first answer. Returns (HTTP status, answer)."""
    require(principal, Action.WRITE)
    assert principal.tenant_id is not None
    asked = fingerprint(body)
    if idempotency_key is not None:
        earlier = replayed(uow, principal.tenant_id, idempotency_key, asked)
        if earlier is not None:
            return earlier
    created, unchanged = _store(uow, ids, principal, body)
    answer: Answer = 201, {"created": [_json(r) for r in created], "unchanged": unchanged}
    if idempotency_key is not None:
        answer = remember(uow, ids, principal.tenant_id, idempotency_key, asked, answer)
    uow.commit()
    return answer


def _store(
    uow: UnitOfWork, ids: IdGenerator, principal: Principal, body: object
) -> tuple[list[MeterReading], int]:
    problems: list[Problem] = []
    top = FieldReader(body, "", problems)
    top.only({"readings"})
    items = top.items("readings", required=True)
    if len(items) > MAX_READINGS:
        top.refuse("readings", f"holds more than {MAX_READINGS} readings; send them in batches")
        items = []
    created: list[MeterReading] = []
    unchanged = 0
    meters = _Meters(uow, principal)
    for index, item in enumerate(items):
        entry = FieldReader(item, f"readings[{index}]", problems)
        entry.only({"meter_id", "date", "value"})
        meter_id = entry.text("meter_id", required=True)
        read_on = entry.iso_date("date", required=True)
        value = entry.decimal("value", required=True)
        if meter_id is None or read_on is None or value is None:
            continue
        meter = meters.reading_on(meter_id, read_on)
        if meter is None:
            entry.refuse("meter_id", f"names no meter of yours ({meter_id})")
            continue
        history = meters.history(meter)
        stored = next((r for r in history if r.read_on == read_on), None)
        if stored is not None and stored in created:
            entry.refuse("date", f"meter {meter.serial} is read twice on {read_on} in this request")
        elif stored is not None and stored.value == value:
            unchanged += 1
        elif stored is not None:
            entry.refuse(
                "value",
                f"differs from the reading already stored for {read_on} ({stored.value}); to correct it, "
                f"PUT /v1/readings/{stored.id} with the value and a reason",
            )
        elif (why := falls(meter, history, read_on, value)) is not None:
            field = entry.field_path("value")
            problems.append(
                Problem(ErrorCode.NEGATIVE_CONSUMPTION, f"{field}: {why}", meter=meter.serial, field=field)
            )
        else:
            reading = MeterReading(ids.new(), meter.tenant_id, meter.id, read_on, value, ReadingSource.API)
            uow.readings.add(reading)
            history.append(reading)
            created.append(reading)
    if problems:
        uow.rollback()
        raise InvalidInput(problems)
    return created, unchanged


class _Meters:
    """The meters a batch names, each with its history, read once per batch. A reading sent for a meter
    after its replacement is its successor's (see `reader_on`)."""

    def __init__(self, uow: UnitOfWork, principal: Principal) -> None:
        self.uow, self.tenant = uow, principal.tenant_scope
        self.meters: dict[str, Meter | None] = {}
        self.histories: dict[str, list[MeterReading]] = {}

    def get(self, meter_id: str) -> Meter | None:
        if meter_id not in self.meters:
            self.meters[meter_id] = self.uow.meters.get(self.tenant, meter_id)
        return self.meters[meter_id]

    def reading_on(self, meter_id: str, day: date) -> Meter | None:
        meter = self.get(meter_id)
        if meter is None:
            return None
        chain = {meter.id: meter}
        last = meter
        while last.replaced_by is not None and last.replaced_by not in chain:
            successor = self.get(last.replaced_by)
            if successor is None:
                break
            chain[successor.id] = last = successor
        return reader_on(meter, chain, day)

    def history(self, meter: Meter) -> list[MeterReading]:
        if meter.id not in self.histories:
            self.histories[meter.id] = self.uow.readings.list(self.tenant, meter_id=meter.id).items
        return self.histories[meter.id]


def _json(reading: MeterReading) -> dict[str, Any]:
    return {
        "id": reading.id,
        "meter_id": reading.meter_id,
        "date": reading.read_on.isoformat(),
        "value": format(reading.value, "f"),
        "source": reading.source.value,
        "import_id": reading.import_id,
        "corrections": [],
    }
