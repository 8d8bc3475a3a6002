"""Bank files read with defusedxml, by the namespace of their root: a pain.002 status report (.001.03 as
cuaderno 19.14 has it, the later .001.04 to .001.14 some banks send now, and the German banks'
pain.002.002.03 and .003.03) or a camt.054 notification (.001.02 to .001.13). Every version keeps the
elements read here where .001.03 and .001.02 have them. Anything else is refused, saying what it is
and what to send instead."""

from __future__ import annotations

import re

from prorata.adapters.sepa.camt054 import read_camt054
from prorata.adapters.sepa.pain002 import read_pain002
from prorata.adapters.sepa.xml_document import ISO, Reader, parse
from prorata.domain.collection.bank_report import BankReport, UnreadableBankFile

PAIN002 = re.compile(r"pain\.002\.(?:001\.(?:0[3-9]|1[0-4])|00[23]\.03)")
CAMT054 = re.compile(r"camt\.054\.001\.(?:0[2-9]|1[0-3])")
READ = "a payment status report (pain.002) or a debit/credit notification (camt.054)"
# What a manager may send by mistake, and what it is.
_OTHERS = {
    "camt.053": "an account statement (camt.053): it lists the day's bookings, not each collection's "
    "outcome; ask the bank for the camt.054 notification of the collections instead",
    "camt.052": "an intraday account report (camt.052); ask the bank for the camt.054 notification of "
    "the collections instead",
    "pain.008": "a direct-debit remittance (pain.008) — the file sent to the bank, not its answer; send "
    "the bank's status report (pain.002) or notification (camt.054) about it",
    "pain.001": "a credit transfer order (pain.001), not a report on collections",
    "pain.002": "a payment status report in a version prorata does not read (pain.002.001.03 to "
    ".001.14 are read); ask the bank for pain.002.001.03",
    "camt.054": "a notification in a version prorata does not read (camt.054.001.02 to .001.13 are "
    "read); ask the bank for camt.054.001.02 or .001.08",
}


class DefusedXmlBankFileReader:
    def read(self, content: bytes) -> BankReport:
        namespace, root = parse(content)
        message = namespace.removeprefix(ISO)
        reader = Reader(namespace)
        if PAIN002.fullmatch(message):
            return read_pain002(reader, root, message)
        if CAMT054.fullmatch(message):
            return read_camt054(reader, root, message)
        if namespace.startswith(ISO):
            what = _OTHERS.get(message[:8], f"{message}, an ISO 20022 message prorata does not read")
            raise UnreadableBankFile(f"the file is {what} (namespace {message}); prorata reads {READ}")
        raise UnreadableBankFile(
            f"the file's namespace is {namespace!r}, not an ISO 20022 one: prorata reads {READ}, whose "
            f'root is <Document xmlns="{ISO}pain.002.001.03"> or similar'
        )
