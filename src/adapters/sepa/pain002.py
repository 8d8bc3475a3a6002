"""pain.002 (.001.03, and the later versions read by the same paths), the customer payment status
report: what the bank did with each transaction of a pain.008 file. `RJCT` with `StsRsnInf/Rsn/Cd` is
a rejection (before settlement) or, as Spanish banks also report them, a return after it; a group or
payment block rejected whole, with no transactions listed, rejects every transaction in it. The
reason code may be in any of several `StsRsnInf`, and given once for a block or the group."""

from __future__ import annotations

from datetime import date
from xml.etree.ElementTree import Element

from prorata.adapters.sepa.xml_document import Reader
from prorata.domain.collection.bank_report import BankOutcome, BankReport, BankTransaction

REJECTED = "RJCT"


def read_pain002(reader: Reader, root: Element, format: str) -> BankReport:
    report = reader.require(root, "CstmrPmtStsRpt")
    header = reader.require(report, "GrpHdr")
    created_on = reader.day(header, "CreDtTm")
    group = reader.require(report, "OrgnlGrpInfAndSts")
    message_id = reader.text(group, "OrgnlMsgId")
    group_status = reader.text(group, "GrpSts")
    group_reason = reader.reason(*reader.all(group, "StsRsnInf"))
    found: list[BankTransaction] = []
    blocks = reader.all(report, "OrgnlPmtInfAndSts")
    for block in blocks:
        block_id = reader.text(block, "OrgnlPmtInfId")
        block_status = reader.text(block, "PmtInfSts") or group_status
        block_reason = reader.reason(*reader.all(block, "StsRsnInf"))
        block_reason = block_reason if block_reason[0] or block_reason[1] else group_reason
        transactions = reader.all(block, "TxInfAndSts")
        for tx in transactions:
            status = reader.text(tx, "TxSts") or block_status or ""
            reason, note = reader.reason(*reader.all(tx, "StsRsnInf"))
            if reason is None:  # the code may be given once, for the block or the group
                reason, note = block_reason[0], note or block_reason[1]
            found.append(
                BankTransaction(
                    outcome=_outcome(status),
                    status=status,
                    # A transaction is one, named or not: never the whole block it is listed in.
                    end_to_end_id=reader.text(tx, "OrgnlEndToEndId") or reader.text(tx, "OrgnlInstrId") or "",
                    message_id=message_id,
                    payment_information_id=block_id,
                    reason=reason,
                    on=reader.day(tx, "AccptncDtTm") or created_on,
                    amount_cents=reader.cents(tx, "OrgnlTxRef", "Amt", "InstdAmt"),
                    note=note,
                )
            )
        if not transactions and block_status:
            found.append(_whole(block_status, message_id, block_id, block_reason, created_on))
    if not blocks and group_status:
        found.append(_whole(group_status, message_id, None, group_reason, created_on))
    return BankReport(format, reader.text(header, "MsgId"), created_on, tuple(found))


def _whole(
    status: str,
    message_id: str | None,
    block_id: str | None,
    reason: tuple[str | None, str | None],
    on: date | None,
) -> BankTransaction:
    return BankTransaction(
        outcome=_outcome(status),
        status=status,
        message_id=message_id,
        payment_information_id=block_id,
        reason=reason[0],
        note=reason[1],
        on=on,
    )


def _outcome(status: str) -> BankOutcome:
    return BankOutcome.REJECTED if status.upper() == REJECTED else BankOutcome.ACCEPTED
