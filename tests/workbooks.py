"""Real files as management systems export them, and crafted ones, written for the tests."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import xlwt

Rows = Sequence[Sequence[Any]]


def xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def xls(path: Path, sheets: dict[str, Rows]) -> Path:
    """A legacy Excel 97-2003 (BIFF8) workbook."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def ods(path: Path, sheets: dict[str, Rows]) -> Path:
    """An OpenDocument spreadsheet, written as LibreOffice lays it out."""
    tables = []
    for name, rows in sheets.items():
        body = []
        for row in rows:
            cells = []
            for value in row:
                if value is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(value, bool):
                    cells.append(
                        '<table:table-cell office:value-type="boolean" '
                        f'office:boolean-value="{str(value).lower()}">'
                        f"<text:p>{str(value).upper()}</text:p></table:table-cell>"
                    )
                elif isinstance(value, dt.date):
                    cells.append(
                        f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                        f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
                    )
                elif isinstance(value, int | float):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}">'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
                else:
                    cells.append(
                        '<table:table-cell office:value-type="string">'
                        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
                    )
            body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(f'<table:table table:name="{escape(name)}">{"".join(body)}</table:table>')
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def xlsx_declaring_every_cell(path: Path) -> Path:
    """2 KB that claims A1:XFD1048576: python-calamine aborts its process on it."""
    xlsx(path, {"Lecturas": [["Piso", "Lectura"]]})
    return _rewrite_sheet(
        path, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    )


def xlsx_with_a_far_cell(path: Path, before: dict[str, Rows] | None = None) -> Path:
    """No dimension element, one cell in the very last row and column — in the workbook's last sheet,
    after the sheets `before`."""
    xlsx(path, {**(before or {}), "Anexo" if before else "Lecturas": [["Piso", "Lectura"]]})

    def far(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)
        return xml.replace(
            "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
        )

    return _rewrite_sheet(path, far, len(before or {}) + 1)


def zip_bomb(path: Path, megabytes: int = 500) -> Path:
    """An XLSX whose one sheet inflates to hundreds of megabytes from a small file."""
    xlsx(path, {"Lecturas": [["Piso", "Lectura"]]})
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/padding.xml", "w") as out,
    ):
        chunk = b" " * (1024 * 1024)
        for _ in range(megabytes):
            out.write(chunk)
    return path


def _rewrite_sheet(path: Path, change: Any, number: int = 1) -> Path:
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    name = f"xl/worksheets/sheet{number}.xml"
    entries[name] = change(entries[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return path


def xlsx_of_text(path: Path, sheets: dict[str, Rows]) -> Path:
    """Like `xlsx`, but every str cell is stored as text, as a management system exports `=…` or `+…`
    (openpyxl would store it as a formula, which a reader sees as an empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    book.save(path)
    return path


def xlsx_with_a_row_at(path: Path, number: int, sheets: dict[str, Rows]) -> Path:
    """The sheets, with no dimension element, and one more cell (column A) in row `number` of the first."""

    def far(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)
        cell = f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>far</t></is></c></row>'
        return xml.replace("</sheetData>", f"{cell}</sheetData>")

    return _rewrite_sheet(xlsx_of_text(path, sheets), far)


def rename_sheet(path: Path, old: str, new: str) -> Path:
    """Renames a sheet in xl/workbook.xml, where openpyxl would refuse the name (`/`, `[`, …)."""
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = entries["xl/workbook.xml"].decode()
    entries["xl/workbook.xml"] = xml.replace(f'name="{escape(old)}"', f'name="{escape(new)}"').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return path


def xlsx_with_corrupted_data(path: Path) -> Path:
    """A workbook whose first sheet's compressed bytes are damaged after the zip's directory was
    written: the archive opens, the sheet does not inflate."""
    xlsx(path, {"Lecturas": [["Piso", "Lectura"], *[[f"{n}A", n] for n in range(200)]]})
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    header = info.header_offset
    name_length, extra_length = struct.unpack("<HH", raw[header + 26 : header + 30])
    start = header + 30 + name_length + extra_length
    for offset in range(start + 8, start + info.compress_size - 8):
        raw[offset] ^= 0x5A
    path.write_bytes(bytes(raw))
    return path


def to_whole_blocks(path: Path, block: int = 32768) -> Path:
    """The workbook made a whole number of `block`s long, still valid, as one in 32,768 files (one XLS in 64,
    its size being a number of 512-byte sectors) is: an XLSX/ODS by its ZIP comment, an XLS by free sectors
    at its end, as Excel leaves them."""
    size = path.stat().st_size
    short = -size % block
    if path.read_bytes()[:2] == b"PK":
        with zipfile.ZipFile(path, "a") as book:
            book.comment = b"x" * short
    else:
        with path.open("ab") as book:
            book.write(b"\0" * short)
    assert path.stat().st_size % block == 0, path.stat().st_size
    return path
