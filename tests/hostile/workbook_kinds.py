"""Hostile XLSX, ODS and XLS files: bytes flipped, cut short, cells far off or huge, control characters,
formulas, XML entities, and zip tricks — sizes and CRCs that lie, twin members, names out of the archive,
deflate bombs — legacy XLS cut short, flipped or padded, and files named as another format."""

from __future__ import annotations

import random
import tempfile
from dataclasses import replace
from pathlib import Path

from tests import workbooks
from tests.hostile.originals import (
    CONTROLS,
    FORMULAS,
    cells,
    control_texts,
    formula_texts,
    good_csv,
    huge,
    typed_rows,
)
from tests.hostile.packages import (
    Cell,
    Entry,
    Far,
    Formula,
    archive,
    column_letters,
    deflated_spaces,
    ods_parts,
    xlsx_parts,
)


def _workbook(rng: random.Random, rows: list[list[Cell]], doctype: str = "") -> tuple[str, list[Entry]]:
    suffix = rng.choice([".xlsx", ".ods"])
    return suffix, _parts(suffix, rows, doctype)


def _parts(suffix: str, rows: list[list[Cell]], doctype: str = "") -> list[Entry]:
    return xlsx_parts(rows, doctype) if suffix == ".xlsx" else ods_parts(rows, doctype)


def workbook_byte_flips(rng: random.Random) -> tuple[str, bytes]:
    suffix, parts = _workbook(rng, typed_rows())
    data = bytearray(archive(parts))
    for _ in range(rng.randint(1, 16)):
        data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
    return suffix, bytes(data)


def workbook_truncated(rng: random.Random) -> tuple[str, bytes]:
    suffix, parts = _workbook(rng, typed_rows())
    data = archive(parts)
    return suffix, data[: rng.randrange(1, len(data))]


def workbook_huge_cell(rng: random.Random) -> tuple[str, bytes]:
    rows = typed_rows()
    huge(rng, rows)
    suffix, parts = _workbook(rng, rows)
    return suffix, archive(parts)


def workbook_control_characters(rng: random.Random) -> tuple[str, bytes]:
    """Control characters raw in the XML (which XML 1.0 forbids), as character references, or in the
    _xHHHH_ escapes OOXML decodes into them."""
    rows = typed_rows()
    control_texts(rng, rows)
    suffix, parts = _workbook(rng, rows)
    style = rng.choice(["raw", "reference", "ooxml"])
    if style != "raw":
        parts = [
            part.holding(_spell_controls(part.content.decode(), style).encode())
            if part.name.endswith(("sheet1.xml", "content.xml"))
            else part
            for part in parts
        ]
    return suffix, archive(parts)


def _spell_controls(xml: str, style: str) -> str:
    for control in CONTROLS:
        spelled = f"&#x{ord(control):x};" if style == "reference" else f"_x{ord(control):04X}_"
        xml = xml.replace(control, spelled)
    return xml


def workbook_formulas(rng: random.Random) -> tuple[str, bytes]:
    """Formulas as formulas (with a cached value), and text that reads as one."""
    rows = typed_rows()
    formula_texts(rng, rows)
    for r, c in cells(rng, rows, rng.randint(1, 4)):
        rows[r][c] = Formula(rng.choice(FORMULAS), cached=rng.choice(["x", "1", "=1+1"]))
    suffix, parts = _workbook(rng, rows)
    return suffix, archive(parts)


def workbook_far_cells(rng: random.Random) -> tuple[str, bytes]:
    """A cell past what any sheet may hold (XFD1048576, a value repeated over a million rows)."""
    rows = typed_rows()
    if rng.random() < 0.5:
        column = rng.choice(["XFD", "IW", column_letters(rng.randint(257, 16_384))])
        far = [Far(column, rng.choice([1_048_576, 1_000_002, rng.randint(20, 5_000)]), "far")]
        parts = xlsx_parts(rows, far=far)
        if rng.random() < 0.5:  # and no dimension to warn of it
            parts = [_without_dimension(p) if p.name.endswith("sheet1.xml") else p for p in parts]
        return ".xlsx", archive(parts)
    spread = rng.choice([(1_048_576, 1), (1, 16_384), (100_000, 1_000), (1_000_000, 1_000)])
    return ".ods", archive(ods_parts(rows, repeated=spread))


def _far_row(rng: random.Random) -> Far:
    column, row = column_letters(rng.randint(1, 256)), rng.randint(100_000, 1_000_000)
    return Far(column, row, rng.choice(["far", "=1+1"]))


def xlsx_far_rows(rng: random.Random) -> tuple[str, bytes]:
    """One cell far below the readings, within what a sheet may hold: everything between is empty."""
    parts = xlsx_parts(typed_rows(), far=[_far_row(rng)])
    if rng.random() < 0.5:
        parts = [_without_dimension(p) if p.name.endswith("sheet1.xml") else p for p in parts]
    return ".xlsx", archive(parts)


def ods_far_rows(rng: random.Random) -> tuple[str, bytes]:
    """The same in an ODS: a repeated empty row, as LibreOffice writes an empty expanse, then the cell."""
    return ".ods", archive(ods_parts(typed_rows(), far=_far_row(rng)))


def _without_dimension(part: Entry) -> Entry:
    xml = part.content.decode()
    start = xml.index("<dimension")
    xml = xml[:start] + xml[xml.index("/>", start) + 2 :]
    return part.holding(xml.encode())


XXE = [
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/xxe">]>',
    '<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>',
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>',
]


def workbook_xml_entities(rng: random.Random) -> tuple[str, bytes]:
    """External entities and an entity expansion in the sheet's XML, each referenced from a cell."""
    rows = typed_rows()
    r, c = cells(rng, rows, 1, header=False)[0]
    rows[r][c] = "ENTITY-HERE"
    suffix, parts = _workbook(rng, rows, doctype=rng.choice(XXE))
    parts = [
        p.holding(p.content.replace(b"ENTITY-HERE", b"&e;"))
        if p.name.endswith(("sheet1.xml", "content.xml"))
        else p
        for p in parts
    ]
    return suffix, archive(parts)


def zip_wrong_sizes(rng: random.Random) -> tuple[str, bytes]:
    """An entry whose sizes or CRC say other than its data: in both headers, or in one of them."""
    suffix, parts = _workbook(rng, typed_rows())
    at = next(i for i, p in enumerate(parts) if p.name.endswith(("sheet1.xml", "content.xml")))
    truth = parts[at]
    lie = (
        replace(truth, file_size=rng.choice([0, 10, truth.file_size * 1000, 0xFFFFFFFF]))
        if rng.random() < 0.5
        else replace(truth, crc=truth.crc ^ rng.randrange(1, 2**32))
    )
    told = [*parts[:at], lie, *parts[at + 1 :]]
    if rng.random() < 0.5:
        return suffix, archive(told)
    return suffix, archive(parts, central=told)  # the two descriptions disagree


def zip_duplicate_names(rng: random.Random) -> tuple[str, bytes]:
    suffix, parts = _workbook(rng, typed_rows())
    sheet = next(p for p in parts if p.name.endswith(("sheet1.xml", "content.xml")))
    rows = typed_rows()
    rows[1][0] = "=" + FORMULAS[0]
    other = next(p for p in _parts(suffix, rows) if p.name == sheet.name)
    twins = [*parts, other] if rng.random() < 0.5 else [other, *parts]
    return suffix, archive(twins)


TRAVERSALS = ["../../../../tmp/prorata-evil.xml", "/tmp/prorata-evil.xml", "xl/worksheets/../../../evil.xml"]


def zip_path_traversal(rng: random.Random) -> tuple[str, bytes]:
    """Members named out of the archive, and a workbook whose sheet is one of them."""
    suffix, parts = _workbook(rng, typed_rows())
    name = rng.choice(TRAVERSALS)
    sheet = next(p for p in parts if p.name.endswith(("sheet1.xml", "content.xml")))
    parts = [*parts, replace(sheet, name=name)]
    if suffix == ".xlsx" and rng.random() < 0.5:
        parts = [
            p.holding(p.content.replace(b"worksheets/sheet1.xml", name.encode()))
            if p.name == "xl/_rels/workbook.xml.rels"
            else p
            for p in parts
        ]
    return suffix, archive(parts)


def zip_deflate_bomb(rng: random.Random) -> tuple[str, bytes]:
    """Hundreds of megabytes of spaces from a few hundred kilobytes: told as they are, or told as a few
    bytes — and in the sheet itself, or beside it."""
    suffix, parts = _workbook(rng, typed_rows())
    bomb = deflated_spaces(rng.choice([300, 600, 1200]))
    if rng.random() < 0.5:
        bomb = replace(bomb, file_size=rng.choice([1_000, 100_000]))
    if rng.random() < 0.5:
        sheet = next(p for p in parts if p.name.endswith(("sheet1.xml", "content.xml")))
        parts = [replace(bomb, name=sheet.name) if p is sheet else p for p in parts]
    else:
        parts = [*parts, bomb]
    return suffix, archive(parts)


def xls_damaged(rng: random.Random) -> tuple[str, bytes]:
    """A legacy Excel (BIFF8) workbook cut short, with bytes flipped (in its OLE header or its records),
    or padded far past its end."""
    with tempfile.TemporaryDirectory() as folder:
        data = workbooks.xls(Path(folder) / "lecturas.xls", {"Lecturas": typed_rows()}).read_bytes()
    trick = rng.choice(["cut", "header", "records", "padded"])
    if trick == "cut":
        return ".xls", data[: rng.randrange(1, len(data))]
    if trick == "padded":
        return ".xls", data + bytes(rng.choice([1, 512, 64 * 1024]) * 512)
    flipped = bytearray(data)
    low, high = (0, 512) if trick == "header" else (512, len(data))
    for _ in range(rng.randint(1, 16)):
        flipped[rng.randrange(low, high)] ^= rng.randrange(1, 256)
    return ".xls", bytes(flipped)


def wrong_suffix(rng: random.Random) -> tuple[str, bytes]:
    """A file named as another format than it is."""
    workbook_suffix, parts = _workbook(rng, typed_rows())
    content, really = rng.choice([(archive(parts), workbook_suffix), (good_csv(), ".csv")])
    return rng.choice([s for s in (".csv", ".xlsx", ".ods", ".xls") if s != really]), content
