"""Table rows of collection records (remittances, their items, bank files) and back."""

from __future__ import annotations

from prorata.adapters.sql.rows import Row, plain_row
from prorata.domain.collection.bank_return import BankReturn, BankReturnLine, BankReturnStatus
from prorata.domain.collection.remittance import (
    Creditor,
    Excluded,
    Exclusion,
    ItemOutcome,
    Remittance,
    RemittanceItem,
    RemittanceStatus,
    Scheme,
    SequenceType,
)


def remittance_row(item: Remittance) -> Row:
    row = plain_row(item)
    creditor = row.pop("creditor")
    row["excluded"] = [{"receipt_id": e.receipt_id, "reason": e.reason.value} for e in item.excluded]
    return {
        **row,
        "creditor_name": creditor.name,
        "creditor_iban": creditor.iban,
        "creditor_bic": creditor.bic,
        "creditor_id": creditor.creditor_id,
    }


def remittance(row: Row) -> Remittance:
    values = dict(row)
    creditor = Creditor(
        values.pop("creditor_name"),
        values.pop("creditor_iban"),
        values.pop("creditor_bic"),
        values.pop("creditor_id"),
    )
    excluded = tuple(Excluded(e["receipt_id"], Exclusion(e["reason"])) for e in values.pop("excluded"))
    return Remittance(
        **{**values, "scheme": Scheme(values["scheme"]), "status": RemittanceStatus(values["status"])},
        creditor=creditor,
        excluded=excluded,
    )


def remittance_item(row: Row) -> RemittanceItem:
    outcome = row["outcome"]
    return RemittanceItem(
        **{
            **row,
            "sequence_type": SequenceType(row["sequence_type"]),
            "outcome": None if outcome is None else ItemOutcome(outcome),
        }
    )


def bank_return(row: Row) -> BankReturn:
    return BankReturn(**{**row, "status": BankReturnStatus(row["status"])})


def bank_return_line(row: Row) -> BankReturnLine:
    return BankReturnLine(**row)
