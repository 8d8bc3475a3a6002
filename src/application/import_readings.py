"""What an imported file's readings add to its meters' history, community by community.

Every reading a file brings becomes a meter reading (source `file`, with the import's id), in the
import's own transaction: it is kept only if the import's outcome is. A row's meter is the unit's meter
with the row's meter code (created when new); a row without one reads the unit's one meter of the
service, created when missing as `<unit code>-<service>` (`1A-heating`). A row with only a current reading
counts from the meter's last reading before it. The file's previous reading is kept as the meter's
opening reading, dated the day before, when the history has nothing before it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from prorata.application.file_ledger import FileLedger
from prorata.application.import_settlements import Registered
from prorata.application.reading_corrections import flag_counting_settlements
from prorata.domain.community.model import Community, Meter, MeterReading
from prorata.domain.imports.contents import CommunityFile
from prorata.domain.imports.model import ImportJob
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.readings.extract import UnitReading
from prorata.domain.settlement.request import Reading, Service, unit_key
from prorata.domain.settlement.stored import SettlementStatus


def record_file_readings(
    uow: UnitOfWork,
    ids: IdGenerator,
    clock: Clock,
    job: ImportJob,
    registered: Registered,
    found: CommunityFile,
    problems: list[Problem],
    changes: dict[str, int],
) -> list[Meter]:
    """Add the file's readings of `community` to its meters' history, and complete `found` for its
    settlements: a row with only a current reading gets its previous one from the history; a row the
    history refuses (it would count backwards: `negative_consumption`) is left out. A reprocess stores
    nothing twice: the same meter, day and value is the same reading; another value replaces this
    import's own reading, and corrects another source's (kept in its corrections). A reading of this
    import since corrected by hand stays as corrected; one it no longer brings is removed. Returns the
    community's meters, as the file leaves them."""
    community = registered.community
    by_code = {unit_key(u.code): u for u in registered.units}
    ledger = FileLedger(ids, job, clock.now(), uow, community, fresh=registered.fresh)
    default = _file_service(uow, job, community, found, ledger.meters.values())
    received = job.received_at.date()
    kept: list[UnitReading] = []
    for item in found.readings:
        reading = item.reading
        unit = by_code.get(unit_key(item.unit))
        if reading.previous is None or reading.current is None or unit is None:
            kept.append(item)  # a consumption is no meter reading
            continue
        day, row = reading.read_on or received, reading.row or 0
        service = found.reading_services.get(row, default)
        meter = ledger.meter(unit, reading.meter, service, day, reading.factor, problems, row)
        if meter is None:
            kept.append(item)
            continue
        if ledger.refuses(meter, day, reading.current, problems, unit, row):
            continue
        opening = reading.previous <= reading.current or meter.rollover is not None
        if opening and ledger.before(meter, day) is None:  # (a row counting backwards fails its settlement)
            ledger.read(meter, day - timedelta(days=1), reading.previous)
        ledger.read(meter, day, reading.current)
        kept.append(item)
    for current in sorted(found.current_only, key=lambda c: (c.read_on or received, c.row)):
        unit = by_code.get(unit_key(current.unit))
        if unit is None:
            continue
        day = current.read_on or received
        service = found.reading_services.get(current.row, default)
        meter = ledger.meter(unit, current.meter, service, day, current.factor, problems, current.row)
        if meter is None:
            continue
        start = ledger.before(meter, day)
        if start is None:
            problems.append(
                Problem(
                    ErrorCode.MISSING_READING,
                    f"row {current.row}: meter {meter.serial} has no reading before {day} to count from; "
                    "give its previous reading too",
                    unit=unit.code,
                    meter=meter.serial,
                    row=current.row,
                )
            )
            continue
        if ledger.refuses(meter, day, current.current, problems, unit, current.row):
            continue
        ledger.read(meter, day, current.current)
        kept.extend(_replaced_before(ledger, meter, start, current.unit, current.row))
        counted = Reading(
            current.meter,
            start.value,
            current.current,
            None,
            current.factor,
            meter.rollover,
            day,
            current.row,
        )
        kept.append(UnitReading(current.unit, counted))
    found.readings[:] = kept
    ledger.save(changes)
    return list(ledger.meters.values())


def _replaced_before(
    ledger: FileLedger, meter: Meter, start: MeterReading, unit: str, row: int
) -> list[UnitReading]:
    """A meter counted from the day it replaced another: the old meter's last stretch (from its reading
    before, to its final one) is the unit's consumption too."""
    found = []
    for old in ledger.meters.values():
        if old.replaced_by != meter.id or old.replaced_on != start.read_on:
            continue
        final, before = (
            ledger.before(old, start.read_on + timedelta(days=1)),
            ledger.before(old, start.read_on),
        )
        if final is None or before is None:
            continue
        stretch = Reading(
            old.serial, before.value, final.value, None, old.factor, old.rollover, final.read_on, row
        )
        found.append(UnitReading(unit, stretch))
    return found


def _file_service(
    uow: UnitOfWork, job: ImportJob, community: Community, found: CommunityFile, meters: Iterable[Meter]
) -> Service:
    """The service of the readings whose row names none: the file's costs' one service; else the
    community's open settlement's (the one they attach to); else the one service the community's meters
    measure; else `other` (until a later file says which)."""
    costs = {cost.service or Service.OTHER for cost in found.costs}
    if len(costs) == 1:
        return costs.pop()
    if not costs:
        drafts = uow.settlements.list(
            job.tenant_id, community_id=community.id, status=SettlementStatus.DRAFT.value
        ).items
        open_ = {s.service for s in drafts if s.import_id in (None, job.id) and s.origin is None}
        if len(open_) == 1:
            return open_.pop()
    measured = {m.service for m in meters if m.replaced_by is None}
    return measured.pop() if len(measured) == 1 else Service.OTHER


def discard_file_readings(uow: UnitOfWork, job: ImportJob) -> None:
    """A cancelled import keeps no reading: those its file brought are removed — not one corrected by
    hand since (the correction stands) — and the published settlements that counted them are flagged."""
    tenant = job.tenant_id
    mine = [r for r in uow.readings.list(tenant, import_id=job.id).items if not r.corrections]
    if not mine:
        return
    wanted = {r.meter_id for r in mine}
    meters = {m.id: m for m in uow.meters.list(tenant).items if m.id in wanted}
    units = {m.unit_id for m in meters.values()}
    communities = {u.community_id for u in uow.units.list(tenant).items if u.id in units}
    for community_id in sorted(communities):
        histories: dict[str, list[MeterReading]] = defaultdict(list)
        for reading in uow.readings.list(tenant, community_id=community_id).items:
            histories[reading.meter_id].append(reading)
        gone = [(meters[r.meter_id], r) for r in mine if r.meter_id in histories]
        flag_counting_settlements(uow, tenant, community_id, gone, histories)
    for reading in mine:
        uow.readings.delete(reading)
