"""Use case: bulk reading ingestion, idempotent by the client's key and by (meter, date)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from prorata.application.access import require
from prorata.application.json_fields import FieldReader
from prorata.domain.access.model import Replay
from prorata.domain.access.principal import Action, Principal
from prorata.domain.community.model import Meter, MeterReading, ReadingSource
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import InvalidInput, Problem

MAX_READINGS = 10_000


class KeyReused(Exception):
    """The idempotency key was first used for a different request."""

    code = "idempotency_key_reused"


def ingest_readings(
    uow: UnitOfWork, ids: IdGenerator, principal: Principal, body: object, idempotency_key: str | None
) -> tuple[int, dict[str, Any]]:
    """Store every reading of `body` or none. A reading already stored for the same meter and date with
    the same value is left as it is; with another value it is an error. With an idempotency key, a replay
    returns the first answer. Returns (HTTP status, answer)."""
    require(principal, Action.WRITE)
    assert principal.tenant_id is not None
    fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    if idempotency_key is not None:
        earlier = _replay(uow, principal.tenant_id, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    created, unchanged = _store(uow, ids, principal, body)
    answer: dict[str, Any] = {"created": [_json(r) for r in created], "unchanged": unchanged}
    if idempotency_key is not None:
        try:
            uow.replays.add(Replay(ids.new(), principal.tenant_id, idempotency_key, fingerprint, 201, answer))
        except Conflict:
            uow.rollback()  # a concurrent request with this key committed first: answer as it did
            earlier = _replay(uow, principal.tenant_id, idempotency_key, fingerprint)
            assert earlier is not None
            return earlier
    uow.commit()
    return 201, answer


def _replay(uow: UnitOfWork, tenant_id: str, key: str, fingerprint: str) -> tuple[int, dict[str, Any]] | None:
    found = uow.replays.list(tenant_id, key=key).items
    if not found:
        return None
    if found[0].fingerprint != fingerprint:
        raise KeyReused(f"idempotency key {key!r} was used for a different request")
    return found[0].status, dict(found[0].body)


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
    meters: dict[str, Meter | None] = {}
    for index, item in enumerate(items):
        entry = FieldReader(item, f"readings[{index}]", problems)
        entry.only({"meter_id", "date", "value"})
        meter_id = entry.text("meter_id", required=True)
        read_on = entry.iso_date("date", required=True)
        value = entry.decimal("value", required=True)
        if meter_id is None or read_on is None or value is None:
            continue
        if meter_id not in meters:
            meters[meter_id] = uow.meters.get(principal.tenant_id, meter_id)
        meter = meters[meter_id]
        if meter is None:
            entry.refuse("meter_id", f"names no meter of yours ({meter_id})")
            continue
        stored = uow.readings.list(principal.tenant_id, meter_id=meter.id, read_on=read_on).items
        if stored and stored[0].value == value:
            unchanged += 1
        elif stored:
            entry.refuse(
                "value", f"differs from the reading already stored for {read_on} ({stored[0].value})"
            )
        else:
            reading = MeterReading(ids.new(), meter.tenant_id, meter.id, read_on, value, ReadingSource.API)
            try:
                uow.readings.add(reading)
            except Conflict:
                entry.refuse("date", f"meter {meter.serial} is read twice on {read_on} in this request")
                continue
            created.append(reading)
    if problems:
        uow.rollback()
        raise InvalidInput(problems)
    return created, unchanged


def _json(reading: MeterReading) -> dict[str, Any]:
    return {
        "id": reading.id,
        "meter_id": reading.meter_id,
        "date": reading.read_on.isoformat(),
        "value": format(reading.value, "f"),
        "source": reading.source.value,
    }
