"""Receipt generation, a pure domain service: the stored receipt, its settlement's pools, the unit, the
holder and the history → a `ReceiptDocument`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Context, Decimal, localcontext
from typing import Any

from prorata.domain.community.model import MeterReading, Resident
from prorata.domain.money import from_cents, round_half_up
from prorata.domain.receipts.document import (
    CommunityPart,
    Comparison,
    Header,
    HistoryRow,
    LineRow,
    MeterRow,
    Payer,
    Payment,
    PaymentMethod,
    ReceiptDocument,
    UnitPart,
    masked_iban,
)
from prorata.domain.receipts.facts import DocumentFacts, PoolTotal, ReceiptFacts, consumption_of, year_before
from prorata.domain.receipts.lifecycle import EventType, refunds
from prorata.domain.settlement.request import Period

_DIVIDE = Context(prec=40)
_SENT = (EventType.PRESENTED, EventType.REPRESENTED)
AVERAGE_PLACES = 3  # as the engine's estimates: a consumption to the thousandth


def build_document(facts: DocumentFacts) -> ReceiptDocument:
    receipt = facts.facts.receipt
    detail = receipt.detail
    refunded = refunds(facts.history)
    history = tuple(
        HistoryRow(e.on, e.type, e.status, e.reason, e.note, e.id in refunded)
        for e in sorted(facts.history, key=lambda e: e.seq)
    )
    consumption = consumption_of(detail)
    estimated = bool(detail.get("estimated"))
    return ReceiptDocument(
        header=header_of(facts.facts),
        meters=_meters(facts, consumption, estimated),
        lines=tuple(_line(line, _pool(facts.pools, i)) for i, line in enumerate(detail.get("lines", ()))),
        consumption=consumption,
        estimated=estimated,
        history=history,
        payment=_payment(facts.facts.payer, _debit_on(facts)),
        comparison=_comparison(facts, consumption, estimated),
    )


def header_of(facts: ReceiptFacts) -> Header:
    receipt, community, unit = facts.receipt, facts.community, facts.unit
    return Header(
        number=receipt.number,
        community=CommunityPart(community.code, community.name, community.address, community.tax_id),
        unit=UnitPart(unit.code, unit.kind.value, unit.coefficient, unit.area),
        payer=payer_part(facts.payer),
        service=facts.settlement.service,
        period=facts.settlement.period,
        issued_on=receipt.issued_on,
        due_on=receipt.due_on,
        status=receipt.status,
        status_on=receipt.status_on,
        currency=receipt.currency,
        total=from_cents(receipt.total_cents),
    )


def payer_part(payer: Resident | None) -> Payer | None:
    if payer is None:
        return None
    return Payer(payer.name, masked_iban(payer.iban), payer.mandate_id)


def _meters(facts: DocumentFacts, consumption: Decimal | None, estimated: bool) -> tuple[MeterRow, ...]:
    period = facts.facts.settlement.period
    dated = _file_reading_dates(facts)
    rows = []
    for meter in facts.facts.receipt.detail.get("meters", ()):
        serial = meter.get("meter")
        previous, current = _number(meter.get("previous")), _number(meter.get("current"))
        registered = facts.readings.get(serial or "", ())
        previous_on, current_on = reading_dates(registered, period, previous, current)
        if serial is not None and serial in dated:
            current_on = dated[serial]
        rows.append(
            MeterRow(
                serial=serial,
                previous=previous,
                previous_on=previous_on if previous is not None else None,
                current=current,
                current_on=current_on if current is not None else None,
                factor=Decimal(meter.get("factor", "1")),
                consumption=Decimal(meter["consumption"]),
                rolled_over=bool(meter.get("rolled_over")),
            )
        )
    if not rows and estimated and consumption is not None:
        rows.append(MeterRow(None, None, None, None, None, Decimal(1), consumption, estimated=True))
    return tuple(rows)


def reading_dates(
    readings: Sequence[MeterReading], period: Period, previous: Decimal | None, current: Decimal | None
) -> tuple[date, date]:
    """When the previous and current readings were taken: the meter's readings the settlement read (its
    last on or before the period's start, or its first inside; its last on or before the period's end)
    when their values are the ones shown, else the period's first and last days."""
    ordered = sorted(readings, key=lambda r: r.read_on)
    before = [r for r in ordered if r.read_on <= period.start]
    inside = [r for r in ordered if period.start < r.read_on <= period.end]
    start = before[-1] if before else (inside[0] if inside else None)
    end = inside[-1] if inside else None
    previous_on = start.read_on if start is not None and start.value == previous else period.start
    current_on = end.read_on if end is not None and end.value == current else period.end
    return previous_on, current_on


def _file_reading_dates(facts: DocumentFacts) -> dict[str, date]:
    """Dates a file gave its readings (kept on the settlement), by meter serial, for this unit."""
    code = facts.facts.unit.code.strip().casefold()
    found: dict[str, date] = {}
    for item in facts.facts.settlement.readings or ():
        if str(item.get("unit", "")).strip().casefold() == code and item.get("meter") and item.get("date"):
            try:
                found[item["meter"]] = date.fromisoformat(str(item["date"]))
            except ValueError:
                continue
    return found


def _pool(pools: tuple[PoolTotal, ...], position: int) -> PoolTotal | None:
    return pools[position] if position < len(pools) else None


def _line(line: dict[str, Any], pool: PoolTotal | None) -> LineRow:
    rate = None
    if pool is not None and pool.weight != 0:
        with localcontext(_DIVIDE):
            rate = pool.amount / pool.weight
    return LineRow(
        concept=line["concept"],
        part=line["part"],
        basis=line["basis"],
        weight=Decimal(line["weight"]),
        total_weight=None if pool is None else pool.weight,
        rate=rate,
        amount=Decimal(line["amount"]),
    )


def _debit_on(facts: DocumentFacts) -> date | None:
    """The debit date of its last presentation to the bank, unless it was withdrawn since: a
    remittance's collection date (what the pre-notification told), else — a collection a management
    system reported — the day it was presented."""
    debit_on = None
    for entry in sorted(facts.history, key=lambda e: e.seq):
        if entry.type in _SENT:
            debit_on = facts.debit_dates.get(entry.id, entry.on)
        elif entry.type is EventType.WITHDRAWN:
            debit_on = None
    return debit_on


def _payment(payer: Resident | None, debit_on: date | None) -> Payment:
    if payer is not None and payer.iban and payer.mandate_id:
        return Payment(PaymentMethod.DIRECT_DEBIT, masked_iban(payer.iban), payer.mandate_id, debit_on)
    return Payment(PaymentMethod.TRANSFER, debit_on=debit_on)


def _comparison(facts: DocumentFacts, consumption: Decimal | None, estimated: bool) -> Comparison | None:
    if consumption is None:
        return None
    area = facts.facts.unit.area
    average = None
    if facts.average_per_area is not None and area is not None:
        with localcontext(_DIVIDE):
            average = round_half_up(facts.average_per_area * area, AVERAGE_PLACES)
    return Comparison(
        consumption=consumption,
        estimated=estimated,
        last_year_period=year_before(facts.facts.settlement.period),
        last_year=facts.last_year,
        area=area,
        average=average,
    )


def _number(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))
