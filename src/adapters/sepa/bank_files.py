"""Bank files read with defusedxml, by the namespace of their root: pain.002.001.03, camt.054.001.02 and
camt.054.001.08. Anything else is refused, saying what it is and what is read."""

from __future__ import annotations

from prorata.adapters.sepa.camt054 import read_camt054
from prorata.adapters.sepa.pain002 import FORMAT as PAIN002
from prorata.adapters.sepa.pain002 import read_pain002
from prorata.adapters.sepa.xml_document import ISO, Reader, parse
from prorata.domain.collection.bank_report import BankReport, UnreadableBankFile

CAMT054 = ("camt.054.001.02", "camt.054.001.08")
READ = (PAIN002, *CAMT054)


class DefusedXmlBankFileReader:
    def read(self, content: bytes) -> BankReport:
        namespace, root = parse(content)
        message = namespace.removeprefix(ISO)
        reader = Reader(namespace)
        if message == PAIN002:
            return read_pain002(reader, root)
        if message in CAMT054:
            return read_camt054(reader, root, message)
        said = f"{message}, an ISO 20022 message" if namespace.startswith(ISO) else f"namespace {namespace!r}"
        raise UnreadableBankFile(
            f"the file is {said} prorata does not read: send a payment status report (pain.002.001.03) or a "
            "debit/credit notification (camt.054.001.02 or camt.054.001.08)"
        )
