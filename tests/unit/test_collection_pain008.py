"""pain.008 files written by sepaxml: valid against its bundled XSDs in both versions, one transaction
per receipt named by its number, and the same file at every writing."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import pytest
import sepaxml
import xmlschema

from prorata.adapters.sepa.pain008 import SepaxmlRemittanceWriter
from prorata.domain.collection.remittance import Creditor, Scheme, SequenceType
from prorata.domain.collection.sepa_file import DirectDebit, PainVersion, RemittanceFile

CREDITOR = Creditor("CP Calle Mayor 12 · Peñíscola", "ES9121000418450200051332", None, "ES97000B12345678")
FILE = RemittanceFile(
    message_id="PRT-000007-1234567890ab",
    created_at=datetime(2026, 4, 20, 9, 30, 5, tzinfo=UTC),
    collection_date=date(2026, 5, 4),
    scheme=Scheme.CORE,
    currency="EUR",
    creditor=CREDITOR,
    debits=(
        DirectDebit(
            "C0012-00001-0001", 54000, "Rosa Díaz Núñez", "ES7421000000610123456789", "M-1",
            date(2024, 5, 1), SequenceType.FRST, "CP Calle Mayor 12 Calefacción Recibo C0012-00001-0001",
        ),
        DirectDebit(
            "C0012-00001-0002", 38505, "Jordi Puig", "ES8800490000051234567892", "M-2", date(2023, 1, 9),
            SequenceType.RCUR, "CP Calle Mayor 12 Calefacción Recibo C0012-00001-0002",
            debtor_bic="BSCHESMMXXX",
        ),
    ),
)  # fmt: skip


@cache
def schema(version: PainVersion) -> xmlschema.XMLSchema:
    folder = Path(sepaxml.__file__).parent / "schemas"
    return xmlschema.XMLSchema(str(folder / f"pain.008.{version.value}.xsd"))


def parsed(content: bytes, version: PainVersion) -> tuple[str, ElementTree.Element]:
    ns = f"{{urn:iso:std:iso:20022:tech:xsd:pain.008.{version.value}}}"
    return ns, ElementTree.fromstring(content)


@pytest.mark.parametrize("version", list(PainVersion), ids=str)
def test_the_file_validates_against_its_xsd_and_says_what_the_remittance_says(version: PainVersion) -> None:
    content = SepaxmlRemittanceWriter().write(FILE, version)
    schema(version).validate(content.decode())
    ns, root = parsed(content, version)
    header = root.find(f"{ns}CstmrDrctDbtInitn/{ns}GrpHdr")
    assert header is not None
    assert header.findtext(f"{ns}MsgId") == "PRT-000007-1234567890ab"
    assert header.findtext(f"{ns}CreDtTm") == "2026-04-20T09:30:05"
    assert (header.findtext(f"{ns}NbOfTxs"), header.findtext(f"{ns}CtrlSum")) == ("2", "925.05")
    blocks = root.findall(f"{ns}CstmrDrctDbtInitn/{ns}PmtInf")
    assert sorted(b.findtext(f"{ns}PmtTpInf/{ns}SeqTp") or "" for b in blocks) == ["FRST", "RCUR"]
    for block in blocks:
        sequence = block.findtext(f"{ns}PmtTpInf/{ns}SeqTp")
        assert block.findtext(f"{ns}PmtInfId") == f"PRT-000007-1234567890ab-{sequence}"
        assert block.findtext(f"{ns}ReqdColltnDt") == "2026-05-04"
        assert block.findtext(f"{ns}PmtTpInf/{ns}LclInstrm/{ns}Cd") == "CORE"
        assert block.findtext(f"{ns}CdtrAcct/{ns}Id/{ns}IBAN") == "ES9121000418450200051332"
        assert block.findtext(f"{ns}CdtrSchmeId/{ns}Id/{ns}PrvtId/{ns}Othr/{ns}Id") == "ES97000B12345678"
        assert block.findtext(f"{ns}Cdtr/{ns}Nm") == "CP Calle Mayor 12 . Peniscola"  # · is no SEPA character
    transactions = {t.findtext(f"{ns}PmtId/{ns}EndToEndId") or "": t for t in root.iter(f"{ns}DrctDbtTxInf")}
    assert sorted(transactions) == ["C0012-00001-0001", "C0012-00001-0002"]
    first = transactions["C0012-00001-0001"]
    assert first.findtext(f"{ns}InstdAmt") == "540.00"
    assert first.findtext(f"{ns}DrctDbtTx/{ns}MndtRltdInf/{ns}MndtId") == "M-1"
    assert first.findtext(f"{ns}DrctDbtTx/{ns}MndtRltdInf/{ns}DtOfSgntr") == "2024-05-01"
    assert first.findtext(f"{ns}Dbtr/{ns}Nm") == "Rosa Diaz Nunez"
    assert first.findtext(f"{ns}DbtrAcct/{ns}Id/{ns}IBAN") == "ES7421000000610123456789"
    assert first.findtext(f"{ns}RmtInf/{ns}Ustrd") == "CP Calle Mayor 12 Calefaccion Recibo C0012-00001-0001"
    bic = "BIC" if version is PainVersion.V02 else "BICFI"
    assert transactions["C0012-00001-0002"].findtext(f"{ns}DbtrAgt/{ns}FinInstnId/{ns}{bic}") == "BSCHESMMXXX"


def test_the_same_remittance_is_the_same_file_and_the_values_given_are_left_as_they_were() -> None:
    writer = SepaxmlRemittanceWriter()
    first = writer.write(FILE, PainVersion.V02)
    assert writer.write(FILE, PainVersion.V02) == first
    assert FILE.debits[0].mandate_signed_on == date(2024, 5, 1)  # sepaxml turns dates it is given into text


def test_a_description_that_transliteration_lengthens_keeps_its_receipt_number() -> None:
    long = "Cœur " * 20 + "Calefacción Recibo C0012-00001-0001"
    assert len(long) <= 140 < len("Coeur " * 20 + "Calefaccion Recibo C0012-00001-0001")
    debit = replace(FILE.debits[0], description=long)
    content = SepaxmlRemittanceWriter().write(replace(FILE, debits=(debit,)), PainVersion.V08)
    ns, root = parsed(content, PainVersion.V08)
    written = root.findtext(f".//{ns}RmtInf/{ns}Ustrd") or ""
    assert len(written) <= 140
    assert written.endswith("Calefaccion Recibo C0012-00001-0001")


def test_a_b2b_remittance_with_the_creditors_bic_validates() -> None:
    b2b = RemittanceFile(
        FILE.message_id, FILE.created_at, FILE.collection_date, Scheme.B2B, "EUR",
        Creditor("CP", CREDITOR.iban, "CAIXESBBXXX", CREDITOR.creditor_id), FILE.debits[:1],
    )  # fmt: skip
    content = SepaxmlRemittanceWriter().write(b2b, PainVersion.V02)
    schema(PainVersion.V02).validate(content.decode())
    ns, root = parsed(content, PainVersion.V02)
    assert root.findtext(f".//{ns}LclInstrm/{ns}Cd") == "B2B"
    assert root.findtext(f".//{ns}CdtrAgt/{ns}FinInstnId/{ns}BIC") == "CAIXESBBXXX"


SEPA_TEXT = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]+")


def texts(content: bytes, version: PainVersion, tag: str) -> list[str]:
    ns, root = parsed(content, version)
    return [e.text or "" for e in root.iter(f"{ns}{tag}")]


@pytest.mark.parametrize("version", list(PainVersion), ids=str)
def test_names_and_texts_are_written_in_the_sepa_character_set_transliterated(version: PainVersion) -> None:
    debit = replace(
        FILE.debits[0],
        debtor_name="Núñez & Çelik <Müller> Weiß, Col·legi «Bar» @home",
        description="Calefacción 1º 2ª à ß € & <recibo> #C0012-00001-0001",
    )
    creditor = replace(CREDITOR, name="Comunitat Col·legi d'Advocats & Cía; 50% *")
    remittance = replace(FILE, creditor=creditor, debits=(debit,))
    content = SepaxmlRemittanceWriter().write(remittance, version)
    schema(version).validate(content.decode())
    names, (said,) = texts(content, version, "Nm"), texts(content, version, "Ustrd")
    for text in [*names, said]:
        assert SEPA_TEXT.fullmatch(text), text
    assert "Nunez + Celik .Muller. Weiss, Col.legi" in names[-1]
    assert names[0].startswith("Comunitat Col.legi d'Advocats + Cia")
    assert said.startswith("Calefaccion 1o 2a a ss EUR + .recibo.")


@pytest.mark.parametrize("version", list(PainVersion), ids=str)
def test_a_name_with_nothing_a_sepa_file_can_hold_still_makes_a_valid_file(version: PainVersion) -> None:
    debit = replace(FILE.debits[0], debtor_name="😀 🏠")
    remittance = replace(FILE, creditor=replace(CREDITOR, name="🏠"), debits=(debit,))
    content = SepaxmlRemittanceWriter().write(remittance, version)
    schema(version).validate(content.decode())
    assert set(texts(content, version, "Nm")) == {"NOTPROVIDED"}


def test_large_amounts_and_their_sum_are_exact_to_the_cent() -> None:
    debits = (replace(FILE.debits[0], amount_cents=99_999_999_999), replace(FILE.debits[1], amount_cents=1))
    content = SepaxmlRemittanceWriter().write(replace(FILE, debits=debits), PainVersion.V02)
    schema(PainVersion.V02).validate(content.decode())
    assert texts(content, PainVersion.V02, "InstdAmt") == ["999999999.99", "0.01"]
    assert set(texts(content, PainVersion.V02, "CtrlSum")) == {"1000000000.00", "999999999.99", "0.01"}


def test_every_file_is_still_checked_against_its_xsd_also_from_many_threads_at_once() -> None:
    writer = SepaxmlRemittanceWriter()
    unfit = replace(FILE, debits=(replace(FILE.debits[0], mandate_id="M" * 36),))  # MndtId is Max35Text
    for version in PainVersion:
        writer.write(FILE, version)
        with pytest.raises(ValueError, match=f"does not validate as pain.008.{version.value}"):
            writer.write(unfit, version)
    with ThreadPoolExecutor(4) as pool:
        written = list(pool.map(lambda v: writer.write(FILE, v), list(PainVersion) * 4))
    assert len(set(written)) == 2
