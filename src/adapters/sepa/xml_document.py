"""Reading an untrusted ISO 20022 XML file safely: defusedxml refuses a DTD, entity declarations and
external references before any is read (no billion laughs, no file or URL pulled in), a tree nested
deeper or with more elements than any bank file is refused while it is read, and what is left is read
by the namespace its root declares."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from prorata.domain.collection.bank_report import UnreadableBankFile
from prorata.domain.money import to_cents

ISO = "urn:iso:std:iso:20022:tech:xsd:"
_TAG = re.compile(r"\{([^}]*)\}(.*)")
MAX_NOTE = 500
# An ISO 20022 report nests some 15 levels deep; a 10 MB camt.054 holds some 400 000 elements. Beyond
# these the file is no bank's, and building its tree would only cost memory (some 35 bytes a byte).
MAX_DEPTH = 64
MAX_ELEMENTS = 1_000_000
_UTF8_BOM = b"\xef\xbb\xbf"


def parse(content: bytes) -> tuple[str, Element]:
    """The root's namespace and the root (a `Document`); UnreadableBankFile otherwise."""
    if not content.strip():
        raise UnreadableBankFile("the file is empty")
    _xml_at_all(content)
    try:
        root = _tree(_from_the_declaration(content))
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
    if found is None and root.tag.lower() == "html":
        raise UnreadableBankFile(
            "the file is a web page (<html>), not a bank report: the bank's site may have shown a page "
            "(a session expired, an error) instead of the file; download the file again"
        )
    if found is None:
        raise UnreadableBankFile(
            f"the file's root element <{root.tag}> has no namespace: an ISO 20022 bank file's root is "
            f'<Document xmlns="{ISO}…">'
        )
    namespace, name = found.groups()
    if name != "Document":
        raise UnreadableBankFile(f"the file's root element is <{name}>, not an ISO 20022 <Document>")
    return namespace, root


def _xml_at_all(content: bytes) -> None:
    """A file that is not XML at all is told apart from a damaged one, saying what it looks like."""
    start = _from_the_declaration(content)
    if start.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        return
    looks = next((said for magic, said in _LOOKS if start.startswith(magic)), "text")
    raise UnreadableBankFile(
        f"the file is not XML (it looks like {looks}): a bank report is an ISO 20022 XML file — a "
        "pain.002 status report or a camt.054 notification; ask the bank for the XML version (a "
        "Norma 43 or other text statement, a PDF or a spreadsheet is not read)"
    )


_LOOKS = ((b"%PDF", "a PDF"), (b"PK\x03\x04", "a ZIP archive or a spreadsheet"), (b"{", "JSON"))


def _from_the_declaration(content: bytes) -> bytes:
    """The file from its first `<`: some banks' portals put a byte-order mark, a blank line or spaces
    before the XML declaration, which XML allows nowhere but at the very start."""
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM) :]
    return content.lstrip(b" \t\r\n")


def _tree(content: bytes) -> Element:
    depth, elements = 0, 0
    root: Element | None = None
    events = iterparse(
        io.BytesIO(content), ("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    for kind, element in events:
        if kind == "end":
            depth -= 1
            continue
        root = element if root is None else root
        depth, elements = depth + 1, elements + 1
        if depth > MAX_DEPTH:
            raise UnreadableBankFile(
                f"the file's elements are nested more than {MAX_DEPTH} levels deep: no bank report is "
                "(an ISO 20022 file nests some 15); refused without reading further"
            )
        if elements > MAX_ELEMENTS:
            raise UnreadableBankFile(
                f"the file holds more than {MAX_ELEMENTS} XML elements: no bank report does; refused "
                "without reading further"
            )
    assert root is not None  # a well-formed document has a root
    return root


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

    def reason(self, *nodes: Element | None) -> tuple[str | None, str | None]:
        """The ISO code of reason elements (StsRsnInf, RtrInf; a bank may give several, the code in any
        of them) and the rest they say: a proprietary reason, additional information. A proprietary
        reason that is an ISO code (AM04 as `Prtry`) is taken as one."""
        said: list[str] = []
        codes: list[str] = []
        for node in (n for n in nodes if n is not None):
            code, own = self.text(node, "Rsn", "Cd"), self.text(node, "Rsn", "Prtry")
            if code is not None and _CODE.fullmatch(code):
                codes.append(code.upper())
            elif code is not None:
                said.append(f"reason {code}")
            if own:
                said.append(f"reason {own}")
                codes += [own.upper()] if _ISO_LIKE.fullmatch(own.upper()) else []
            said += [t.text.strip() for t in self.all(node, "AddtlInf") if t.text and t.text.strip()]
        note = "; ".join(said)[:MAX_NOTE] or None
        return (codes[0] if codes else None), note


_CODE = re.compile(r"[A-Za-z0-9]{4}")
# ISO 20022 external status reason codes: two letters and two digits (AC04, AM04, MD06…), or CNOR, DNOR.
_ISO_LIKE = re.compile(r"[A-Z]{2}[0-9]{2}|CNOR|DNOR")


def day_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
