"""pain.008 direct-debit initiation files, written by sepaxml and validated against its bundled XSD.

sepaxml, as verified: it changes the dicts it is given (dates become strings) — it is given copies; it
transliterates names and descriptions to ASCII (`clean=True`); it invents a random MsgId, PmtInfId and
CreDtTm (now, local time) — ours are set instead, so the same remittance is the same file; and for
pain.008.001.02 it insists on a creditor BIC the XSD does not require (EPC guidelines since 2016: BIC
optional) — without one, the creditor's agent is written as NOTPROVIDED, as sepaxml does for 001.08."""

from __future__ import annotations

from typing import Any

from sepaxml import SepaDD
from sepaxml.validation import ValidationError
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


def _fitting(description: str) -> str:
    """The description as sepaxml will write it: transliterated, then cut at 140 — where transliteration
    lengthens it (ß → ss, € → EUR), the start gives way, so that the receipt number at its end stays."""
    ascii: str = unidecode(description)
    return ascii if len(ascii) <= MAX_DESCRIPTION else ascii[-MAX_DESCRIPTION:].lstrip()


class SepaxmlRemittanceWriter:
    def write(self, remittance: RemittanceFile, version: PainVersion) -> bytes:
        creditor = remittance.creditor
        config: dict[str, Any] = {
            "name": creditor.name,
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
                "name": debit.debtor_name,
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
        try:
            content: bytes = document.export(validate=True)
        except ValidationError as error:
            raise ValueError(
                f"the remittance does not validate as pain.008.{version.value}: {error.__cause__}"
            ) from error
        return content
