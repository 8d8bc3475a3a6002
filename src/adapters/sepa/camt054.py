"""camt.054 (.001.02 and .001.08), the bank-to-customer debit/credit notification: what was booked on the
community's account. A booked credit of a collection pays its receipts — one transaction by its
EndToEndId, or a whole remittance booked as one sum (`NtryDtls/Btch` naming its MsgId); a booked
return (`RtrInf/Rsn/Cd`, or a debit of a collection) returns it, a refund after payment too. An entry
not booked (PDNG, INFO) changes nothing yet.

The versions differ where it matters here in two places: an entry's status (`<Sts>BOOK</Sts>` in .02,
`<Sts><Cd>BOOK</Cd></Sts>` in .08) and a transaction's amount (`AmtDtls/TxAmt/Amt` in .02, `Amt` in
.08)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from prorata.adapters.sepa.xml_document import Reader
from prorata.domain.collection.bank_report import BankOutcome, BankReport, BankTransaction

BOOKED = "BOOK"
NOT_PROVIDED = "NOTPROVIDED"


def read_camt054(reader: Reader, root: Element, format: str) -> BankReport:
    notification = reader.require(root, "BkToCstmrDbtCdtNtfctn")
    header = reader.require(notification, "GrpHdr")
    created_on = reader.day(header, "CreDtTm")
    found: list[BankTransaction] = []
    for part in reader.all(notification, "Ntfctn"):
        for entry in reader.all(part, "Ntry"):
            found.extend(_entry(reader, entry))
    return BankReport(format, reader.text(header, "MsgId"), created_on, tuple(found))


def _entry(reader: Reader, entry: Element) -> list[BankTransaction]:
    status = reader.text(entry, "Sts") or reader.text(entry, "Sts", "Cd") or ""
    booked = status.upper() == BOOKED
    debit = (reader.text(entry, "CdtDbtInd") or "").upper() == "DBIT"
    reversal = (reader.text(entry, "RvslInd") or "").lower() == "true"
    on = (
        reader.day(entry, "BookgDt", "Dt")
        or reader.day(entry, "BookgDt", "DtTm")
        or reader.day(entry, "ValDt", "Dt")
        or reader.day(entry, "ValDt", "DtTm")
    )
    details = reader.all(entry, "NtryDtls")
    batches = [b for d in details for b in reader.all(d, "Btch")]
    found = []
    for tx in (t for d in details for t in reader.all(d, "TxDtls")):
        end_to_end = reader.text(tx, "Refs", "EndToEndId")
        returned = reader.find(tx, "RtrInf")
        if not end_to_end or end_to_end.upper() == NOT_PROVIDED:
            continue  # no transaction of ours is named: the batch below, if any, says which
        reason, note = reader.reason(returned)
        found.append(
            BankTransaction(
                outcome=_outcome(booked, returned is not None or debit or reversal),
                status=status,
                end_to_end_id=end_to_end,
                message_id=reader.text(tx, "Refs", "MsgId") or _batch_message(reader, batches),
                payment_information_id=reader.text(tx, "Refs", "PmtInfId"),
                reason=reason,
                on=on,
                amount_cents=reader.cents(tx, "Amt")
                or reader.cents(tx, "AmtDtls", "TxAmt", "Amt")
                or reader.cents(tx, "AmtDtls", "InstdAmt", "Amt"),
                note=note,
            )
        )
    if found:
        return found
    # A remittance booked (or returned) as one sum: every transaction in it.
    return [
        BankTransaction(
            outcome=_outcome(booked, debit or reversal),
            status=status,
            message_id=reader.text(batch, "MsgId"),
            payment_information_id=reader.text(batch, "PmtInfId"),
            on=on,
            amount_cents=reader.cents(entry, "Amt"),
        )
        for batch in batches
        if reader.text(batch, "MsgId") or reader.text(batch, "PmtInfId")
    ]


def _batch_message(reader: Reader, batches: list[Element]) -> str | None:
    return next((m for m in (reader.text(b, "MsgId") for b in batches) if m), None)


def _outcome(booked: bool, negative: bool) -> BankOutcome:
    if not booked:
        return BankOutcome.PENDING
    return BankOutcome.RETURNED if negative else BankOutcome.BOOKED
