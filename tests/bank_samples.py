"""Bank files laid out the way banks send them, written by the tests: a Spanish bank's pain.002 of
rejections and returns (cuaderno 19.14 XML: CaixaBank, Santander, BBVA, Sabadell), the German banks'
pain.002.003.03, a newer bank's pain.002.001.10; camt.054 notifications as German banks resolve a
collection booked in one sum (`Btch` and each `TxDtls`), as Spanish banks book a remittance's credit
(`Btch` only), returns booked as debits with `RtrInf`, and the account's other movements (credit
transfers, fees) that are no collection. And the ways a file's bytes differ from bank to bank:
namespace prefixes, one line or pretty, CRLF, a byte-order mark, ISO-8859-1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

ISO = "urn:iso:std:iso:20022:tech:xsd:"
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def today() -> str:
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True)
class Debit:
    """One transaction a bank reports on: the receipt's number (EndToEndId), its amount and payer; for
    a pain.002 its status; a reason (`Cd`, or a proprietary one) and what else the bank says."""

    end_to_end_id: str
    amount: str
    payer: str = "Rosa Díaz Núñez"
    status: str = "RJCT"
    reason: str | None = None
    proprietary: str | None = None
    information: str | None = None
    mandate: str = "M-1"


def _spanish_reason(d: Debit, bic: str) -> str:
    if d.reason is None and d.proprietary is None and d.information is None:
        return ""
    code = f"<Rsn><Cd>{d.reason}</Cd></Rsn>" if d.reason else ""
    code += f"<Rsn><Prtry>{d.proprietary}</Prtry></Rsn>" if d.proprietary and not d.reason else ""
    said = f"<AddtlInf>{escape(d.information)}</AddtlInf>" if d.information else ""
    return f"""
          <StsRsnInf>
            <Orgtr><Id><OrgId><BICOrBEI>{bic}</BICOrBEI></OrgId></Id></Orgtr>
            {code}{said}
          </StsRsnInf>"""


def spanish_pain002(
    message_id: str,
    debits: list[Debit],
    *,
    collection_date: str,
    sequence: str = "FRST",
    group_status: str = "PART",
    version: str = "pain.002.001.03",
    bic: str = "CAIXESBBXXX",
) -> str:
    """A Spanish bank's status report on a remittance (its "fichero de devoluciones y rechazos"): the
    group and block statuses, the count per status, and each transaction with the original's details
    (amount, collection date, mandate, debtor, creditor) as the AEB's guide shows them."""
    rejected = [d for d in debits if d.status == "RJCT"]
    total = sum(float(d.amount) for d in debits)  # a bank's control sum, printed only
    transactions = "".join(
        f"""
        <TxInfAndSts>
          <StsId>{today().replace("-", "")}{i:06d}</StsId>
          <OrgnlInstrId>{escape(d.end_to_end_id)}</OrgnlInstrId>
          <OrgnlEndToEndId>{escape(d.end_to_end_id)}</OrgnlEndToEndId>
          <TxSts>{d.status}</TxSts>{_spanish_reason(d, bic)}
          <OrgnlTxRef>
            <Amt><InstdAmt Ccy="EUR">{d.amount}</InstdAmt></Amt>
            <ReqdColltnDt>{collection_date}</ReqdColltnDt>
            <CdtrSchmeId><Id><PrvtId><Othr><Id>ES97000B12345678</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm>
            </Othr></PrvtId></Id></CdtrSchmeId>
            <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm>
              <SeqTp>{sequence}</SeqTp></PmtTpInf>
            <MndtRltdInf><MndtId>{d.mandate}</MndtId><DtOfSgntr>2024-05-01</DtOfSgntr></MndtRltdInf>
            <Dbtr><Nm>{escape(d.payer)}</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>ES7421000000610123456789</IBAN></Id></DbtrAcct>
            <DbtrAgt><FinInstnId><BIC>{bic}</BIC></FinInstnId></DbtrAgt>
            <CdtrAgt><FinInstnId><BIC>{bic}</BIC></FinInstnId></CdtrAgt>
            <Cdtr><Nm>CP CALLE MAYOR 12</Nm></Cdtr>
            <CdtrAcct><Id><IBAN>ES9121000418450200051332</IBAN></Id></CdtrAcct>
          </OrgnlTxRef>
        </TxInfAndSts>"""
        for i, d in enumerate(debits)
    )
    per_status = (
        f"""<NbOfTxsPerSts><DtldNbOfTxs>{len(rejected)}</DtldNbOfTxs><DtldSts>RJCT</DtldSts>
        </NbOfTxsPerSts>"""
        if rejected
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ISO}{version}" {XSI} xsi:schemaLocation="{ISO}{version} {version}.xsd">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>{bic[:4]}{today().replace("-", "")}DEV0001</MsgId>
      <CreDtTm>{today()}T08:15:02</CreDtTm>
      <InitgPty><Id><OrgId><BICOrBEI>{bic}</BICOrBEI></OrgId></Id></InitgPty>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>{message_id}</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId>
      <OrgnlNbOfTxs>{len(debits)}</OrgnlNbOfTxs>
      <OrgnlCtrlSum>{total:.2f}</OrgnlCtrlSum>
      <GrpSts>{group_status}</GrpSts>
      {per_status}
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>{message_id}-{sequence}</OrgnlPmtInfId>
      <OrgnlNbOfTxs>{len(debits)}</OrgnlNbOfTxs>
      <OrgnlCtrlSum>{total:.2f}</OrgnlCtrlSum>
      <PmtInfSts>{group_status}</PmtInfSts>{transactions}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""


@dataclass(frozen=True)
class Booked:
    """One camt.054 transaction detail: whose (EndToEndId), how much, and for a return its reason."""

    end_to_end_id: str
    amount: str
    reason: str | None = None
    message_id: str | None = None
    payer: str = "Rosa Díaz"
    debit: bool | None = None  # its own direction, when not the entry's (a debit in a net credit)


@dataclass(frozen=True)
class Booking:
    """One camt.054 entry. `family`/`sub_family`: its bank transaction code (PMNT/IDDT/ESDD a collection,
    IDDT/UPDD a return, RCDT/ICDT credit transfers, ACMT/MDOP/CHRG a fee). `batch`: the MsgId (and
    PmtInfId, count, total) of a remittance booked as one sum."""

    amount: str
    credit: bool = True
    status: str = "BOOK"
    booked: str = ""  # a date, or a date-time (BookgDt/DtTm); today by default
    details: tuple[Booked, ...] = ()
    batch_message: str | None = None
    batch_block: str | None = None
    batch_count: int | None = None
    batch_total: str | None = None
    domain: str = "PMNT"
    family: str = "IDDT"
    sub_family: str = "ESDD"
    reversal: bool = False
    detail_direction: bool = True  # each TxDtls says its own CdtDbtInd (.003 and later)


def camt054(version: str, bookings: list[Booking], message: str = "NOTIF-0001") -> str:
    """A camt.054.001.<version> (02, 04, 06, 08…) as a bank sends it: header with pagination, one
    notification of the community's account, each entry with its bank transaction code (ISO and the
    bank's own), and the details a bank gives."""
    entries = "".join(_booking(version, b, i) for i, b in enumerate(bookings))
    bic = "BICFI" if version >= "04" else "BIC"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ISO}camt.054.001.{version}" {XSI}>
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr>
      <MsgId>{message}</MsgId>
      <CreDtTm>{today()}T18:00:00+01:00</CreDtTm>
      <MsgPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></MsgPgntn>
    </GrpHdr>
    <Ntfctn>
      <Id>{message}-1</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>{today()}T18:00:00+01:00</CreDtTm>
      <Acct>
        <Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy>
        <Ownr><Nm>CP CALLE MAYOR 12</Nm></Ownr>
        <Svcr><FinInstnId><{bic}>CAIXESBBXXX</{bic}></FinInstnId></Svcr>
      </Acct>{entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def _booking(version: str, b: Booking, position: int) -> str:
    coded = version >= "08"  # `<Sts><Cd>BOOK</Cd></Sts>` from .001.08 on
    status = f"<Sts><Cd>{b.status}</Cd></Sts>" if coded else f"<Sts>{b.status}</Sts>"
    day = b.booked or today()
    booked = f"<DtTm>{day}</DtTm>" if "T" in day else f"<Dt>{day}</Dt>"
    direction = "CRDT" if b.credit else "DBIT"
    code = (
        f"<BkTxCd><Domn><Cd>{b.domain}</Cd><Fmly><Cd>{b.family}</Cd><SubFmlyCd>{b.sub_family}</SubFmlyCd>"
        f"</Fmly></Domn><Prtry><Cd>NTRF+{171 if b.credit else 109}+9310</Cd><Issr>DK</Issr></Prtry></BkTxCd>"
    )
    batch = ""
    if b.batch_message or b.batch_block:
        batch = (
            "<Btch>"
            + (f"<MsgId>{b.batch_message}</MsgId>" if b.batch_message else "")
            + (f"<PmtInfId>{b.batch_block}</PmtInfId>" if b.batch_block else "")
            + (f"<NbOfTxs>{b.batch_count}</NbOfTxs>" if b.batch_count is not None else "")
            + (f'<TtlAmt Ccy="EUR">{b.batch_total}</TtlAmt>' if b.batch_total else "")
            + f"<CdtDbtInd>{direction}</CdtDbtInd></Btch>"
        )
    details = "".join(_detail(version, b, d, direction, code) for d in b.details)
    reversal = "<RvslInd>true</RvslInd>" if b.reversal else ""
    return f"""
      <Ntry>
        <NtryRef>{position + 1}</NtryRef>
        <Amt Ccy="EUR">{b.amount}</Amt>
        <CdtDbtInd>{direction}</CdtDbtInd>{reversal}
        {status}
        <BookgDt>{booked}</BookgDt>
        <ValDt><Dt>{day[:10]}</Dt></ValDt>
        <AcctSvcrRef>2026{position:08d}</AcctSvcrRef>
        {code}
        <NtryDtls>{batch}{details}</NtryDtls>
        <AddtlNtryInf>{"SEPA-LASTSCHRIFT" if b.credit else "RUECKLASTSCHRIFT"}</AddtlNtryInf>
      </Ntry>"""


def _detail(version: str, b: Booking, d: Booked, direction: str, code: str) -> str:
    direction = direction if d.debit is None else ("DBIT" if d.debit else "CRDT")
    own = f'<Amt Ccy="EUR">{d.amount}</Amt>' + (
        f"<CdtDbtInd>{direction}</CdtDbtInd>" if b.detail_direction else ""
    )
    amount = f'<Amt Ccy="EUR">{d.amount}</Amt>'
    amounts = f"<AmtDtls><InstdAmt>{amount}</InstdAmt><TxAmt>{amount}</TxAmt></AmtDtls>"
    message = f"<MsgId>{d.message_id}</MsgId>" if d.message_id else ""
    returned = (
        f"""<RtrInf><Orgtr><Id><OrgId><BICOrBEI>CAIXESBBXXX</BICOrBEI></OrgId></Id></Orgtr>
          <Rsn><Cd>{d.reason}</Cd></Rsn><AddtlInf>Devolución: {d.reason}</AddtlInf></RtrInf>"""
        if d.reason
        else ""
    )
    party = (
        f"<Dbtr><Pty><Nm>{escape(d.payer)}</Nm></Pty></Dbtr>"
        if version >= "08"
        else f"<Dbtr><Nm>{escape(d.payer)}</Nm></Dbtr>"
    )
    return f"""
          <TxDtls>
            <Refs>{message}<EndToEndId>{escape(d.end_to_end_id)}</EndToEndId><MndtId>M-1</MndtId></Refs>
            {own if version >= "04" else ""}{amounts}
            {code}
            <RltdPties>{party}<DbtrAcct><Id><IBAN>ES7421000000610123456789</IBAN></Id></DbtrAcct></RltdPties>
            <RmtInf><Ustrd>CP Calle Mayor 12 calefaccion {escape(d.end_to_end_id)}</Ustrd></RmtInf>
            {returned}
          </TxDtls>"""


# How a file's bytes differ from bank to bank, whatever it says.


def prefixed(xml: str, prefix: str = "ns2") -> str:
    """Every element with a namespace prefix, as Java (JAXB) bank systems write it."""
    xml = re.sub(r"<(/?)(?=[A-Za-z])(?!xml)", rf"<\1{prefix}:", xml)
    return xml.replace(' xmlns="', f' xmlns:{prefix}="', 1)


def one_line(xml: str) -> str:
    return re.sub(r">\s+<", "><", xml).strip()


def crlf(xml: str) -> str:
    return xml.replace("\r\n", "\n").replace("\n", "\r\n")


def latin1(xml: str) -> bytes:
    """The file in ISO-8859-1, saying so, as Spanish banks' older systems write it."""
    return xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1).encode("iso-8859-1")


def bom(content: bytes) -> bytes:
    return b"\xef\xbb\xbf" + content
