"""pain.008 direct-debit initiation files, written by sepaxml and validated against its bundled XSD.

sepaxml, as verified: it changes the dicts it is given (dates become strings) — it is given copies; it
transliterates names and descriptions to ASCII (`clean=True`); it invents a random MsgId, PmtInfId and
CreDtTm (now, local time) — ours are set instead, so the same remittance is the same file; and for
pain.008.001.02 it insists on a creditor BIC the XSD does not require (EPC guidelines since 2016: BIC
optional) — without one, the creditor's agent is written as NOTPROVIDED, as sepaxml does for 001.08.

sepaxml's `clean` only transliterates: "&", "<", "*", "@", "%"… are left as they are, and banks that
hold to the EPC's basic Latin set refuse them. Names and descriptions are written in that set here (the
EPC's conversion: "&" as "+", any other character outside it as "."); a name left with nothing in it
(emoji only) is written NOTPROVIDED rather than empty, which no schema takes.

sepaxml compiles its XSD on every export (0.15-0.3 s): the file is exported unchecked and checked here
against the same XSD, compiled once per version per process."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import sepaxml
from sepaxml import SepaDD
from text_unidecode import unidecode  # what sepaxml transliterates with

from prorata.domain.collection.remittance import SequenceType
from prorata.domain.collection.rules import MAX_DESCRIPTION, payment_information_id
from prorata.domain.collection.sepa_file import PainVersion, RemittanceFile


class _Remittance(SepaDD):  # type: ignore[misc]
    """sepaxml's SepaDD with our message id, creation time and payment-information ids."""

    def __init__(self, config: dict[str, Any], schema: str, remittance: RemittanceFile) -> None:
        self._ours = remittance
        super().__init__(config, schema=schema, clean=True)

    def check_config(self, config: dict[str, Any]) -> bool:
        missing = [k for k in ("name", "IBAN", "batch", "creditor_id", "currency") if k not in config]
        if missing:
            raise ValueError(f"sepaxml config lacks {', '.join(missing)}")
        return True

    def _create_header(self) -> None:
        self.msg_id = self._ours.message_id
        super()._create_header()
        created = self._xml.find("CstmrDrctDbtInitn/GrpHdr/CreDtTm")
        created.text = self._ours.created_at.strftime("%Y-%m-%dT%H:%M:%S")

    def _finalize_batch(self) -> None:
        super()._finalize_batch()
        for block in self._xml.iter("PmtInf"):
            sequence = SequenceType(block.find("PmtTpInf/SeqTp").text)
            block.find("PmtInfId").text = payment_information_id(self._ours.message_id, sequence)


_OUTSIDE_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
MAX_NAME = 70  # Nm: Max70Text
NOT_PROVIDED = "NOTPROVIDED"
_SCHEMAS: dict[PainVersion, Any] = {}
_COMPILING = threading.Lock()


def sepa_text(text: str) -> str:
    """The text in the EPC's basic Latin set: transliterated (ñ → n, ß → ss, € → EUR, · → *), "&" as
    "+", any other character outside the set as ".", runs of spaces as one."""
    ascii: str = unidecode(text).replace("&", "+")
    return _OUTSIDE_SEPA.sub(".", " ".join(ascii.split()))


def _name(name: str) -> str:
    return sepa_text(name)[:MAX_NAME].rstrip() or NOT_PROVIDED


def _fitting(description: str) -> str:
    """The description as the file holds it, at most 140 characters — where transliteration lengthens
    it (ß → ss, € → EUR), the start gives way, so that the receipt number at its end stays."""
    text = sepa_text(description)
    return (text if len(text) <= MAX_DESCRIPTION else text[-MAX_DESCRIPTION:].lstrip()) or NOT_PROVIDED


def _schema(version: PainVersion) -> Any:
    """sepaxml's own XSD of the version, compiled on first use and kept for the process. Compiled under
    a lock (xmlschema's build is not thread-safe: sissaschool/xmlschema#147); a compiled schema
    validates from any number of threads."""
    schema = _SCHEMAS.get(version)
    if schema is None:
        with _COMPILING:
            schema = _SCHEMAS.get(version)
            if schema is None:
                import xmlschema  # imported when first needed, as sepaxml does

                folder = Path(sepaxml.__file__).parent / "schemas"
                schema = xmlschema.XMLSchema(str(folder / f"pain.008.{version.value}.xsd"))
                _SCHEMAS[version] = schema
    return schema


def _validated(content: bytes, version: PainVersion) -> bytes:
    import xmlschema

    try:
        _schema(version).validate(content.decode())
    except xmlschema.XMLSchemaValidationError as error:
        raise ValueError(f"the remittance does not validate as pain.008.{version.value}: {error}") from error
    return content


class SepaxmlRemittanceWriter:
    def write(self, remittance: RemittanceFile, version: PainVersion) -> bytes:
        creditor = remittance.creditor
        config: dict[str, Any] = {
            "name": _name(creditor.name),
            "IBAN": creditor.iban,
            "batch": True,
            "creditor_id": creditor.creditor_id,
            "currency": remittance.currency,
            "instrument": remittance.scheme.value,
        }
        if creditor.bic:
            config["BIC"] = creditor.bic
        document = _Remittance(dict(config), f"pain.008.{version.value}", remittance)
        for debit in remittance.debits:
            payment: dict[str, Any] = {
                "name": _name(debit.debtor_name),
                "IBAN": debit.debtor_iban,
                "amount": debit.amount_cents,
                "type": debit.sequence_type.value,
                "collection_date": remittance.collection_date,
                "mandate_id": debit.mandate_id,
                "mandate_date": debit.mandate_signed_on,
                "description": _fitting(debit.description),
                "endtoend_id": debit.end_to_end_id,
            }
            if debit.debtor_bic:
                payment["BIC"] = debit.debtor_bic
            document.add_payment(dict(payment))  # a copy: sepaxml turns its dates into strings
        content: bytes = document.export(validate=False)  # checked below, against the kept schema
        return _validated(content, version)
