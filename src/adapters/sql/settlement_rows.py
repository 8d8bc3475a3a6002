"""Table rows of settlements, their receipts and the receipts' events, and back."""

from __future__ import annotations

from prorata.adapters.sql.rows import Row, plain_row
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent
from prorata.domain.settlement.request import Period, Service
from prorata.domain.settlement.stored import IssuedReceipt, ReceiptStatus, Settlement, SettlementStatus


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
