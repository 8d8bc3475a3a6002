"""XLSX and ODS packages written byte by byte, so that every part of them can lie: the zip's sizes and
names, the XML's doctype, a cell's address, a formula. openpyxl and friends would refuse to write most of
what a hostile file holds."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Formula:
    """A cell computed by a spreadsheet program: `text` without its leading "=", `cached` its value."""

    text: str
    cached: str = ""


@dataclass(frozen=True)
class Far:
    """A cell written at any address, e.g. XFD1048576, whatever the rows around it say."""

    column: str
    row: int
    value: str


Cell = str | int | float | Formula | None
Rows = Sequence[Sequence[Cell]]


@dataclass(frozen=True)
class Entry:
    """One member of a zip archive as its headers describe it: each size and the CRC may lie."""

    name: str
    data: bytes  # as stored: deflated when `deflated`
    crc: int
    file_size: int
    deflated: bool = True

    @classmethod
    def of(cls, name: str, content: bytes) -> Entry:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = packer.compress(content) + packer.flush()
        return cls(name, data, zlib.crc32(content), len(content))

    @property
    def content(self) -> bytes:
        return zlib.decompress(self.data, -15) if self.deflated else self.data

    def holding(self, content: bytes) -> Entry:
        """This member with other content, its headers telling the truth about it."""
        return Entry.of(self.name, content)


def archive(entries: Sequence[Entry], central: Sequence[Entry] | None = None) -> bytes:
    """The zip of `entries`; the central directory describes `central` instead when given (entry by
    entry, same offsets), which is how an archive's two descriptions of a member come to disagree."""
    out = bytearray()
    offsets = []
    for entry in entries:
        offsets.append(len(out))
        out += _header(b"PK\x03\x04", entry, local=True) + entry.name.encode() + entry.data
    start = len(out)
    for entry, offset in zip(central or entries, offsets, strict=True):
        out += _header(b"PK\x01\x02", entry, local=False, offset=offset) + entry.name.encode()
    size = len(out) - start
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), size, start, 0)
    return bytes(out)


def _header(signature: bytes, entry: Entry, *, local: bool, offset: int = 0) -> bytes:
    method = 8 if entry.deflated else 0
    sizes = (entry.crc & 0xFFFFFFFF, len(entry.data), entry.file_size & 0xFFFFFFFF)
    name = len(entry.name.encode())
    if local:
        return struct.pack("<4s5H3L2H", signature, 20, 0, method, 0, 0x21, *sizes, name, 0)
    return struct.pack(
        "<4s6H3L5HLL", signature, 20, 20, 0, method, 0, 0x21, *sizes, name, 0, 0, 0, 0, 0, offset
    )


@cache
def deflated_spaces(megabytes: int) -> Entry:
    """An entry of `megabytes` MiB of spaces, deflated to about a thousandth of that: each MiB after a
    full flush deflates to the same bytes, so the stream is built without deflating it all."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b" " * MEGABYTE
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    repeated = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    data = first + repeated * (megabytes - 1) + packer.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    return Entry("xl/media/padding.xml", data, crc, megabytes * MEGABYTE)


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_parts(rows: Rows, doctype: str = "", far: Sequence[Far] = ()) -> list[Entry]:
    """The parts of a one-sheet workbook ("Lecturas"); `doctype` goes before the sheet's root element."""
    width = max((len(r) for r in rows), default=1)
    body = "".join(
        f'<row r="{n}">{"".join(_xlsx_cell(f"{column_letters(c)}{n}", v) for c, v in enumerate(row, 1))}'
        "</row>"
        for n, row in enumerate(rows, 1)
    )
    body += "".join(f'<row r="{f.row}">{_xlsx_cell(f"{f.column}{f.row}", f.value)}</row>' for f in far)
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{column_letters(width)}{len(rows)}"/><sheetData>{body}</sheetData></worksheet>'
    )
    return [
        Entry.of(name, text.encode()) for name, text in [*_XLSX_FRAME, ("xl/worksheets/sheet1.xml", sheet)]
    ]


def _xlsx_cell(ref: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return f'<c r="{ref}" t="str"><f>{escape(value.text)}</f><v>{escape(value.cached)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


_MAIN = "http://schemas.openxmlformats.org"
_XLSX_FRAME = [
    (
        "[Content_Types].xml",
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_MAIN}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    (
        "_rels/.rels",
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_MAIN}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_MAIN}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
    ),
    (
        "xl/workbook.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}/spreadsheetml/2006/main" '
        f'xmlns:r="{_MAIN}/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Lecturas" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    (
        "xl/_rels/workbook.xml.rels",
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_MAIN}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_MAIN}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
    ),
]

_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)


def ods_parts(
    rows: Rows, doctype: str = "", repeated: tuple[int, int] | None = None, far: Far | None = None
) -> list[Entry]:
    """The parts of a one-table spreadsheet. `repeated` = (rows, columns) adds one value repeated over that
    many rows and columns; `far` an empty expanse (as LibreOffice writes one: a repeated empty row) down to
    a cell in its row — its column is taken as the first."""
    body = "".join(f"<table:table-row>{''.join(map(_ods_cell, row))}</table:table-row>" for row in rows)
    if repeated:
        many_rows, many_columns = repeated
        body += (
            f'<table:table-row table:number-rows-repeated="{many_rows}">'
            f'<table:table-cell table:number-columns-repeated="{many_columns}" office:value-type="float" '
            'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        )
    if far:
        body += (
            f'<table:table-row table:number-rows-repeated="{far.row - len(rows) - 1}"><table:table-cell/>'
            f"</table:table-row><table:table-row>{_ods_cell(far.value)}</table:table-row>"
        )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}<office:document-content {_ODS_NAMESPACES} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="Lecturas">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    mimetype = b"application/vnd.oasis.opendocument.spreadsheet"
    return [
        replace(Entry.of("mimetype", mimetype), data=mimetype, deflated=False),
        Entry.of("META-INF/manifest.xml", manifest.encode()),
        Entry.of("content.xml", content.encode()),
    ]


def _ods_cell(value: Any) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, Formula):
        return (
            f'<table:table-cell table:formula={quoteattr("of:=" + value.text)} office:value-type="string" '
            f"office:string-value={quoteattr(value.cached)}><text:p>{escape(value.cached)}</text:p>"
            "</table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'
