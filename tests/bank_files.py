"""Bank files as banks send them, written by the tests: pain.002.001.03 status reports and camt.054
debit/credit notifications (.001.02 and .001.08), plus the crafted ones a bank never sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

ISO = "urn:iso:std:iso:20022:tech:xsd:"


@dataclass(frozen=True)
class Status:
    """One transaction of a pain.002: its EndToEndId, status (RJCT, ACCP…) and reason code."""

    end_to_end_id: str
    status: str = "RJCT"
    reason: str | None = None
    amount: str = "0.01"
    information: str | None = None


def pain002(
    original_message: str,
    statuses: list[Status],
    *,
    group_status: str | None = None,
    group_reason: str | None = None,
    block: str | None = None,
    created: str = "2026-05-05T10:00:00",
) -> bytes:
    transactions = "".join(
        f"""<TxInfAndSts><StsId>S{i}</StsId><OrgnlEndToEndId>{escape(s.end_to_end_id)}</OrgnlEndToEndId>
        <TxSts>{s.status}</TxSts>{_status_reason(s.reason, s.information)}
        <OrgnlTxRef><Amt><InstdAmt Ccy="EUR">{s.amount}</InstdAmt></Amt>
        <ReqdColltnDt>2026-05-04</ReqdColltnDt></OrgnlTxRef></TxInfAndSts>"""
        for i, s in enumerate(statuses)
    )
    blocks = (
        f"""<OrgnlPmtInfAndSts><OrgnlPmtInfId>{block or original_message + "-FRST"}</OrgnlPmtInfId>
        {transactions}</OrgnlPmtInfAndSts>"""
        if statuses or block
        else ""
    )
    group = f"<GrpSts>{group_status}</GrpSts>" if group_status else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ISO}pain.002.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-PAIN002-1</MsgId><CreDtTm>{created}</CreDtTm>
      <InitgPty><Id><OrgId><BICOrBEI>CAIXESBBXXX</BICOrBEI></OrgId></Id></InitgPty></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>{original_message}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>
      {group}{_status_reason(group_reason, None)}</OrgnlGrpInfAndSts>
    {blocks}
  </CstmrPmtStsRpt>
</Document>""".encode()


def _status_reason(code: str | None, information: str | None) -> str:
    if code is None and information is None:
        return ""
    reason = f"<Rsn><Cd>{code}</Cd></Rsn>" if code else ""
    said = f"<AddtlInf>{escape(information)}</AddtlInf>" if information else ""
    return f"<StsRsnInf><Orgtr><Nm>Banco</Nm></Orgtr>{reason}{said}</StsRsnInf>"


@dataclass(frozen=True)
class Tx:
    """A transaction of a camt.054 entry: its EndToEndId, amount and, for a return, its reason."""

    end_to_end_id: str
    amount: str
    reason: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Entry:
    amount: str
    credit: bool = True
    status: str = "BOOK"
    booked_on: str = "2026-05-04"
    transactions: list[Tx] = field(default_factory=list)
    batch: str | None = None  # the MsgId of a remittance booked as one sum


def camt054(version: str, entries: list[Entry], message: str = "BANK-CAMT054-1") -> bytes:
    """A camt.054.001.02 or .001.08 notification of the entries."""
    body = "".join(_entry(version, e, i) for i, e in enumerate(entries))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ISO}camt.054.001.{version}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>{message}</MsgId><CreDtTm>2026-05-04T18:00:00</CreDtTm></GrpHdr>
    <Ntfctn><Id>N-1</Id><CreDtTm>2026-05-04T18:00:00</CreDtTm>
      <Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>
      {body}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>""".encode()


def _entry(version: str, entry: Entry, position: int) -> str:
    status = f"<Sts>{entry.status}</Sts>" if version == "02" else f"<Sts><Cd>{entry.status}</Cd></Sts>"
    family = "ESDD" if entry.credit else "PMDD"
    batch = f"<Btch><MsgId>{entry.batch}</MsgId><NbOfTxs>2</NbOfTxs></Btch>" if entry.batch else ""
    transactions = "".join(_transaction(version, t) for t in entry.transactions)
    return f"""<Ntry><NtryRef>E{position}</NtryRef><Amt Ccy="EUR">{entry.amount}</Amt>
      <CdtDbtInd>{"CRDT" if entry.credit else "DBIT"}</CdtDbtInd>{status}
      <BookgDt><Dt>{entry.booked_on}</Dt></BookgDt><ValDt><Dt>{entry.booked_on}</Dt></ValDt>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>{family}</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls>{batch}{transactions}</NtryDtls></Ntry>"""


def _transaction(version: str, tx: Tx) -> str:
    amount = (
        f'<AmtDtls><TxAmt><Amt Ccy="EUR">{tx.amount}</Amt></TxAmt></AmtDtls>'
        if version == "02"
        else f'<Amt Ccy="EUR">{tx.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
    )
    message = f"<MsgId>{tx.message_id}</MsgId>" if tx.message_id else ""
    returned = (
        f"<RtrInf><Orgtr><Nm>Banco</Nm></Orgtr><Rsn><Cd>{tx.reason}</Cd></Rsn>"
        f"<AddtlInf>devolucion</AddtlInf></RtrInf>"
        if tx.reason
        else ""
    )
    return f"""<TxDtls><Refs>{message}<EndToEndId>{escape(tx.end_to_end_id)}</EndToEndId>
      <MndtId>M-1</MndtId></Refs>{amount}{returned}</TxDtls>"""


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
<CstmrPmtStsRpt>&lol3;</CstmrPmtStsRpt></Document>
"""


def external_entity(path: str) -> bytes:
    """A pain.002 whose reason would be the contents of a local file, if an entity were read."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file://{path}">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>X</MsgId><CreDtTm>2026-05-05T10:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>X</OrgnlMsgId><GrpSts>RJCT</GrpSts>
<StsRsnInf><AddtlInf>&secret;</AddtlInf></StsRsnInf></OrgnlGrpInfAndSts>
</CstmrPmtStsRpt></Document>""".encode()
