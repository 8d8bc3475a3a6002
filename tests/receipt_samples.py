"""A receipt's facts as the application gathers them, built by hand: for the builder's unit tests, the PDF
tests and the benchmark. The numbers are those of tests/integration/test_api_settlement_flow.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from prorata.domain.community.model import (
    Community,
    CommunityUnit,
    Language,
    MeterReading,
    Occupancy,
    OccupancyRole,
    Resident,
)
from prorata.domain.receipts.build import build_document
from prorata.domain.receipts.document import ReceiptDocument
from prorata.domain.receipts.facts import DocumentFacts, PoolTotal, ReceiptFacts
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent, ReceiptStatus
from prorata.domain.receipts.receipt import IssuedReceipt
from prorata.domain.settlement.request import Period, Service
from prorata.domain.settlement.stored import Settlement, SettlementStatus

IBAN = "ES9121000418450200051332"
TENANT = "t-1"
PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))
ISSUED = date(2026, 4, 2)
AT = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)

DETAIL: dict[str, Any] = {
    "unit": "1A",
    "total": "540.00",
    "consumption": "60",
    "estimated": False,
    "lines": [
        {"concept": "Gas", "part": "consumption", "basis": "consumption", "weight": "60", "amount": "420.00",
         "exact": "420"},
        {"concept": "Gas", "part": "fixed", "basis": "coefficient", "weight": "40", "amount": "120.00",
         "exact": "120"},
    ],
    "meters": [
        {"meter": "HC-1A", "previous": "1234.5", "current": "1294.5", "factor": "1", "rolled_over": False,
         "consumption": "60"},
    ],
}  # fmt: skip


def community() -> Community:
    return Community("c-1", TENANT, "C0012", "CP Calle Mayor 12", "Calle Mayor 12, 28013 Madrid", "H12345678")


def unit(**changes: Any) -> CommunityUnit:
    return replace(CommunityUnit("u-1", TENANT, "c-1", "1A", Decimal("40"), Decimal("80")), **changes)


def owner(**changes: Any) -> Resident:
    held = (Occupancy("u-1", OccupancyRole.OWNER, date(2020, 1, 1)),)
    base = Resident("r-1", TENANT, "Rosa Díaz Muñoz", language=Language.ES, iban=IBAN, mandate_id="M-0001",
                    occupancies=held)  # fmt: skip
    return replace(base, **changes)


def settlement(**changes: Any) -> Settlement:
    base = Settlement("s-1", TENANT, "c-1", Service.HEATING, PERIOD, {}, SettlementStatus.PUBLISHED, 7, AT)
    return replace(base, **changes)


def receipt(**changes: Any) -> IssuedReceipt:
    base = IssuedReceipt(
        "rc-1", TENANT, "s-1", "u-1", "C0012-00007-0001", 54000, "EUR", DETAIL,
        ReceiptStatus.ISSUED, ISSUED, date(2026, 4, 17), ISSUED, 1,
    )  # fmt: skip
    return replace(base, **changes)


def event(
    seq: int, type: EventType, status: ReceiptStatus, on: date, reason: str | None = None
) -> ReceiptEvent:
    return ReceiptEvent(f"e-{seq}", TENANT, "rc-1", seq, type, on, status, "manager", AT, reason)


def readings() -> dict[str, list[MeterReading]]:
    return {
        "HC-1A": [
            MeterReading("m-0", TENANT, "meter-1", date(2025, 10, 1), Decimal("1100")),
            MeterReading("m-1", TENANT, "meter-1", date(2025, 12, 31), Decimal("1234.5")),
            MeterReading("m-2", TENANT, "meter-1", date(2026, 3, 30), Decimal("1294.5")),
        ]
    }


def facts(
    *,
    history: tuple[ReceiptEvent, ...] | None = None,
    payer: Resident | None = None,
    no_payer: bool = False,
    **receipt_changes: Any,
) -> DocumentFacts:
    made = receipt(**receipt_changes)
    return DocumentFacts(
        facts=ReceiptFacts(made, settlement(), community(), unit(), None if no_payer else payer or owner()),
        history=history or (event(1, EventType.ISSUED, ReceiptStatus.ISSUED, ISSUED),),
        pools=(PoolTotal(Decimal("700.00"), Decimal("100")), PoolTotal(Decimal("300.00"), Decimal("100"))),
        readings=readings(),
        last_year=Decimal("52.5"),
        average_per_area=Decimal("0.625"),
    )


def returned_facts() -> DocumentFacts:
    """Sent for collection, returned for lack of funds (AM04)."""
    history = (
        event(1, EventType.ISSUED, ReceiptStatus.ISSUED, ISSUED),
        event(2, EventType.PRESENTED, ReceiptStatus.IN_COLLECTION, date(2026, 4, 10)),
        event(3, EventType.RETURNED, ReceiptStatus.RETURNED, date(2026, 4, 14), "AM04"),
    )
    return facts(history=history, status=ReceiptStatus.RETURNED, status_on=date(2026, 4, 14), version=3)


def document(**changes: Any) -> ReceiptDocument:
    return build_document(facts(**changes))
