"""Whether a workbook's own bytes show that they reach its end — what an upload of an exact number of a
client's blocks needs, since on the wire it is a transfer cut after a full block (uploads.py).

- A ZIP (XLSX, ODS) ends on its end-of-central-directory record: its comment runs to the last byte, and
  the directory it locates lies just before it. A cut ZIP has lost that record.
- An OLE2 compound file (XLS) is a header and sectors; its allocation table, itself in sectors the header
  lists, marks every sector in use. A cut one has lost sectors in use, or the table itself.
- Text shows no end of its own: never said to.

`read(offset, length)` gives the bytes of the file there (fewer at its end); nothing is read beyond what
the structures point to, each bounded by the file's size."""

from __future__ import annotations

from collections.abc import Callable

Read = Callable[[int, int], bytes]

_ZIP_START = b"PK\x03\x04"  # a local file header: what a ZIP begins with
_ZIP_END = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_ZIP_DIRECTORY = b"PK\x01\x02"
_ZIP_END_SIZE = 22
_ZIP_COMMENT_MAX = 0xFFFF

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_TABLE_SECTORS = 109  # the first allocation table sectors are listed in the header itself


def shows_its_end(size: int, read: Read) -> bool:
    head = read(0, 8)
    if head.startswith(_ZIP_START):
        return _zip_ends(size, read)
    if head == _OLE2:
        return _ole2_ends(size, read)
    return False


def _number(data: bytes, at: int, width: int) -> int:
    return int.from_bytes(data[at : at + width], "little")


def _zip_ends(size: int, read: Read) -> bool:
    start = max(0, size - _ZIP_END_SIZE - _ZIP_COMMENT_MAX)
    tail = read(start, size - start)
    at = tail.rfind(_ZIP_END)
    while at >= 0:  # the last such bytes may lie in the comment: each candidate in turn, from the end
        fits = len(tail) - at >= _ZIP_END_SIZE and _number(tail, at + 20, 2) == len(tail) - at - _ZIP_END_SIZE
        if fits and _zip_directory_lies_before(start + at, tail[at : at + _ZIP_END_SIZE], size, read):
            return True
        at = tail.rfind(_ZIP_END, 0, at)
    return False


def _zip_directory_lies_before(end: int, record: bytes, size: int, read: Read) -> bool:
    entries, length, offset = _number(record, 10, 2), _number(record, 12, 4), _number(record, 16, 4)
    directory_end = end
    # A ZIP64 end record, found by the locator just before: it holds the figures, and the directory ends
    # where it begins — whether the classic record says 0xFFFF… (zip -fz, Python) or repeats the figures
    # (commons-compress's Zip64Mode.Always).
    locator = read(end - 20, 20) if end >= 20 else b""
    if locator.startswith(_ZIP64_LOCATOR):
        at = _number(locator, 8, 8)
        record64 = read(at, 56) if 0 <= at < end else b""
        if record64.startswith(_ZIP64_END):
            entries, length, offset = (
                _number(record64, 32, 8),
                _number(record64, 40, 8),
                _number(record64, 48, 8),
            )
            directory_end = at
    if entries == 0 or offset + length != directory_end or offset >= size:
        return False
    return read(offset, 4) == _ZIP_DIRECTORY


def _ole2_ends(size: int, read: Read) -> bool:
    header = read(0, 512)
    if len(header) < 512 or _number(header, 0x1C, 2) != 0xFFFE:  # little-endian, as every writer does
        return False
    shift = _number(header, 0x1E, 2)
    if shift not in (9, 12):
        return False
    sector = 1 << shift
    sectors = (size - sector) // sector  # the header takes a whole sector
    if sectors <= 0:
        return False
    tables = _table_sectors(header, sector, sectors, read)
    if tables is None:
        return False
    per_table = sector // 4
    for n, table in enumerate(tables):
        entries = read(sector * (table + 1), sector)
        if len(entries) < sector:
            return False
        # Free entries are all 0xFF bytes: what stripping leaves ends with the last sector in use (in C, not
        # a Python loop over a 50 MB file's 12 million entries).
        in_use = -(-len(entries.rstrip(b"\xff")) // 4)
        if in_use and n * per_table + in_use > sectors:
            return False  # a sector in use is not in the file: cut
    return True


def _table_sectors(header: bytes, sector: int, sectors: int, read: Read) -> list[int] | None:
    """The allocation table's sectors: the header lists 109, further DIFAT sectors the rest; None when
    any lies beyond the file's end or the lists are not what they claim."""
    count = _number(header, 0x2C, 4)
    if count == 0 or count > sectors:
        return None
    found = [_number(header, 0x4C + 4 * i, 4) for i in range(min(count, _HEADER_TABLE_SECTORS))]
    following, left = _number(header, 0x44, 4), _number(header, 0x48, 4)
    while len(found) < count:
        if left == 0 or following >= sectors:
            return None
        listed = read(sector * (following + 1), sector)
        if len(listed) < sector:
            return None
        found += [_number(listed, 4 * i, 4) for i in range(sector // 4 - 1)][: count - len(found)]
        following, left = _number(listed, sector - 4, 4), left - 1
    return found if all(table < sectors for table in found) else None
