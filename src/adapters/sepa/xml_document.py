"""Reading an untrusted ISO 20022 XML file safely: defusedxml refuses a DTD, entity declarations and
external references before any is read (no billion laughs, no file or URL pulled in), and what is left
is read by the namespace its root declares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from prorata.domain.collection.bank_report import UnreadableBankFile
from prorata.domain.money import to_cents

ISO = "urn:iso:std:iso:20022:tech:xsd:"
_TAG = re.compile(r"\{([^}]*)\}(.*)")
MAX_NOTE = 500


def parse(content: bytes) -> tuple[str, Element]:
    """The root's namespace and the root (a `Document`); UnreadableBankFile otherwise."""
    if not content.strip():
        raise UnreadableBankFile("the file is empty")
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnreadableBankFile(
            "the file declares a DTD or XML entities, which no bank file does: refused without reading "
            "them (an XML entity trick?)"
        ) from None
    except ParseError as error:
        raise UnreadableBankFile(
            f"the file is not well-formed XML ({error}): is it truncated or damaged? Download it from the "
            "bank again"
        ) from None
    found = _TAG.fullmatch(root.tag)
    if found is None:
        raise UnreadableBankFile(
            f"the file's root element <{root.tag}> has no namespace: an ISO 20022 bank file's root is "
            f'<Document xmlns="{ISO}…">'
        )
    namespace, name = found.groups()
    if name != "Document":
        raise UnreadableBankFile(f"the file's root element is <{name}>, not an ISO 20022 <Document>")
    return namespace, root


@dataclass(frozen=True, slots=True)
class Reader:
    """Finds elements of one namespace by their plain names: `reader.find(node, "GrpHdr", "MsgId")`."""

    namespace: str

    def path(self, names: tuple[str, ...]) -> str:
        return "/".join(f"{{{self.namespace}}}{name}" for name in names)

    def find(self, node: Element | None, *names: str) -> Element | None:
        return None if node is None else node.find(self.path(names))

    def all(self, node: Element | None, *names: str) -> list[Element]:
        return [] if node is None else node.findall(self.path(names))

    def text(self, node: Element | None, *names: str) -> str | None:
        found = self.find(node, *names)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    def require(self, node: Element | None, *names: str) -> Element:
        found = self.find(node, *names)
        if found is None:
            raise UnreadableBankFile(f"the file has no <{'/'.join(names)}>: it is not a complete report")
        return found

    def day(self, node: Element | None, *names: str) -> date | None:
        """A date or a date-time's day (ISODate, ISODateTime)."""
        return day_of(self.text(node, *names))

    def cents(self, node: Element | None, *names: str) -> int | None:
        text = self.text(node, *names)
        if text is None:
            return None
        try:
            return to_cents(Decimal(text))
        except (InvalidOperation, ValueError):
            return None

    def reason(self, node: Element | None) -> tuple[str | None, str | None]:
        """A reason element's (StsRsnInf, RtrInf) ISO code and the rest it says: a proprietary reason,
        its additional information."""
        code = self.text(node, "Rsn", "Cd")
        said = [f"reason {p}" for p in [self.text(node, "Rsn", "Prtry")] if p]
        said += [t.text.strip() for t in self.all(node, "AddtlInf") if t.text and t.text.strip()]
        if code is not None and not re.fullmatch(r"[A-Za-z0-9]{4}", code):
            said.insert(0, f"reason {code}")
            code = None
        note = "; ".join(said)[:MAX_NOTE] or None
        return (None if code is None else code.upper()), note


def day_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
