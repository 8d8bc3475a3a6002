"""camt.054 (.001.02 to .001.13), the bank-to-customer debit/credit notification: what was booked on the
community's account. A booked credit of a collection pays its receipts — one transaction by its
EndToEndId, or a whole remittance booked as one sum (`NtryDtls/Btch` naming its MsgId or PmtInfId, with
the count and sum it booked); a booked return (`RtrInf/Rsn/Cd`, or a debit of a collection) returns it,
a refund after payment too. An entry not booked (PDNG, INFO) changes nothing yet; nor does a movement
whose bank transaction code says it is no collection (a credit transfer, a card payment, a fee), even
quoting a receipt's number.

The versions differ where it matters here in three places: an entry's status (`<Sts>BOOK</Sts>` up to
.07, `<Sts><Cd>BOOK</Cd></Sts>` from .08), a transaction's amount (`AmtDtls/TxAmt/Amt` in .02, `Amt`
from .03) and its own direction (`TxDtls/CdtDbtInd` from .03: a debit inside a credit booked net).
Which way money went is the entry's (or transaction's) `CdtDbtInd`; `RvslInd` only says it undoes an
earlier entry — a debit undoing a collection's credit is a return, a credit undoing a debit is not."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from prorata.adapters.sepa.xml_document import Reader
from prorata.domain.collection.bank_report import BankOutcome, BankReport, BankTransaction

BOOKED = "BOOK"
NOT_PROVIDED = "NOTPROVIDED"
DIRECT_DEBITS = frozenset({"IDDT", "RDDT"})
CHARGES = frozenset({"CHRG", "COMM", "FEES", "TAXE", "COME", "COMI"})


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
    if not _collection(reader, entry):
        return []
    status = (
        reader.text(entry, "Sts") or reader.text(entry, "Sts", "Cd") or reader.text(entry, "Sts", "Prtry")
    )
    booked = (status or "").upper() == BOOKED
    debit = _debit(reader, entry, False)
    on = (
        reader.day(entry, "BookgDt", "Dt")
        or reader.day(entry, "BookgDt", "DtTm")
        or reader.day(entry, "ValDt", "Dt")
        or reader.day(entry, "ValDt", "DtTm")
    )
    details = reader.all(entry, "NtryDtls")
    batches = [b for d in details for b in reader.all(d, "Btch")]
    found, named = [], False
    for tx in (t for d in details for t in reader.all(d, "TxDtls")):
        end_to_end = reader.text(tx, "Refs", "EndToEndId")
        returned = reader.find(tx, "RtrInf")
        if not end_to_end or end_to_end.upper() == NOT_PROVIDED:
            continue  # no transaction of ours is named: the batch below, if any, says which
        named = True
        if not _collection(reader, tx):
            continue
        reason, note = reader.reason(returned)
        found.append(
            BankTransaction(
                outcome=_outcome(booked, returned is not None or _debit(reader, tx, debit)),
                status=status or "",
                end_to_end_id=end_to_end,
                message_id=reader.text(tx, "Refs", "MsgId") or _batch_message(reader, batches),
                payment_information_id=reader.text(tx, "Refs", "PmtInfId"),
                reason=reason,
                on=on,
                amount_cents=reader.cents(tx, "Amt")
                or reader.cents(tx, "AmtDtls", "TxAmt", "Amt")
                or reader.cents(tx, "AmtDtls", "InstdAmt", "Amt"),
                note=note,
                message_certain=False,  # `Refs/MsgId` may be the bank's own (a return's pacs.004)
            )
        )
    if named:
        return found
    # A remittance booked (or returned) as one sum: the count and sum of it the bank booked.
    return [
        BankTransaction(
            outcome=_outcome(booked, _debit(reader, batch, debit)),
            status=status or "",
            message_id=reader.text(batch, "MsgId"),
            payment_information_id=reader.text(batch, "PmtInfId"),
            on=on,
            amount_cents=reader.cents(batch, "TtlAmt")
            or (reader.cents(entry, "Amt") if len(batches) == 1 else None),
            count=_count(reader.text(batch, "NbOfTxs")),
        )
        for batch in batches
        if reader.text(batch, "MsgId") or reader.text(batch, "PmtInfId")
    ]


def _collection(reader: Reader, node: Element) -> bool:
    """Whether an entry's (or a transaction's) bank transaction code, when it gives an ISO one, is that of
    a direct debit (PMNT/IDDT issued, or RDDT as some banks code them) and not its charges."""
    domain = reader.text(node, "BkTxCd", "Domn", "Cd")
    if domain is None:
        return True  # proprietary codes only (or none): nothing says it is not
    family = (reader.text(node, "BkTxCd", "Domn", "Fmly", "Cd") or "").upper()
    sub_family = (reader.text(node, "BkTxCd", "Domn", "Fmly", "SubFmlyCd") or "").upper()
    return domain.upper() == "PMNT" and family in DIRECT_DEBITS and sub_family not in CHARGES


def _debit(reader: Reader, node: Element, otherwise: bool) -> bool:
    said = (reader.text(node, "CdtDbtInd") or "").upper()
    return otherwise if said not in ("DBIT", "CRDT") else said == "DBIT"


def _count(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def _batch_message(reader: Reader, batches: list[Element]) -> str | None:
    return next((m for m in (reader.text(b, "MsgId") for b in batches) if m), None)


def _outcome(booked: bool, negative: bool) -> BankOutcome:
    if not booked:
        return BankOutcome.PENDING
    return BankOutcome.RETURNED if negative else BankOutcome.BOOKED
