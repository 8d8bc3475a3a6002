"""Whether a workbook's bytes show that they reach its end: what lets an upload of an exact number of a
client's blocks — indistinguishable on the wire from an interrupted one — be taken. A ZIP (XLSX, ODS) ends on
the record that locates its directory; an OLE2 file (XLS) lists in its allocation table every sector it
uses. Text has no such end, and is never said to."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prorata.domain.dropzone.workbook_ends import shows_its_end
from tests import workbooks

_ZIP64_END = b"PK\x06\x06"

ROWS = [["Piso", "Contador", "Lectura"]] + [[f"Piso {n:05d}", f"CAL-{n:05d}", n * 1.5] for n in range(1500)]


def _ends(content: bytes) -> bool:
    return shows_its_end(len(content), lambda offset, length: content[offset : offset + length])


@pytest.fixture(scope="module", params=["xlsx", "xls", "ods"])
def workbook(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    kind = request.param
    path = getattr(workbooks, kind)(tmp_path_factory.mktemp(kind) / f"lecturas.{kind}", {"Lecturas": ROWS})
    return Path(path).read_bytes()


def test_a_whole_workbook_shows_its_end(workbook: bytes) -> None:
    assert _ends(workbook)


def test_a_workbook_padded_to_whole_blocks_as_writers_leave_them_still_does(
    workbook: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "book"
    path.write_bytes(workbook)
    assert _ends(workbooks.to_whole_blocks(path).read_bytes())


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_workbook_cut_anywhere_does_not(workbook: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(workbook) - 1))
    assert not _ends(workbook[:cut])


def test_a_workbook_cut_where_an_interrupted_client_stops_does_not(workbook: bytes) -> None:
    for block in (512, 4096, 32768):
        for cut in range(block, len(workbook), block):
            assert not _ends(workbook[:cut]), (block, cut)


@pytest.mark.parametrize(
    "content",
    [
        b"Piso;Lectura\r\nPiso 1;12,5\r\n" * 2000,  # text says nothing of its end
        b"",
        b"PK\x05\x06" + b"\0" * 18,  # an empty ZIP's end record and nothing else: no workbook
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 504,  # an OLE2 signature and a nonsense header
    ],
)
def test_text_and_fragments_never_show_an_end(content: bytes) -> None:
    assert not _ends(content)


def _book(kind: str, folder: Path) -> bytes:
    return Path(getattr(workbooks, kind)(folder / f"lecturas.{kind}", {"Lecturas": ROWS})).read_bytes()


def test_a_crafted_allocation_table_count_is_not_followed(tmp_path: Path) -> None:
    crafted = bytearray(_book("xls", tmp_path))
    crafted[0x2C:0x30] = (0xFFFFFFF0).to_bytes(4, "little")  # four billion FAT sectors claimed
    reads: list[int] = []

    def read(offset: int, length: int) -> bytes:
        reads.append(length)
        return bytes(crafted[offset : offset + length])

    assert not shows_its_end(len(crafted), read)
    assert len(reads) < 10


def test_a_zip_whose_directory_does_not_lie_before_its_end_record_does_not(tmp_path: Path) -> None:
    workbook = _book("xlsx", tmp_path)
    end = workbook.rindex(b"PK\x05\x06")
    moved = bytearray(workbook)
    moved[end + 16 : end + 20] = (int.from_bytes(workbook[end + 16 : end + 20], "little") - 1).to_bytes(
        4, "little"
    )
    assert not _ends(bytes(moved))


def test_a_zip64_shows_its_end_and_cut_does_not() -> None:
    """More than 65,535 entries: the end record defers to the ZIP64 one before it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(65_536):
            archive.writestr(f"{n}", b"")
    content = buffer.getvalue()
    assert _ZIP64_END in content
    assert _ends(content)
    assert not _ends(content[: len(content) - 22])
    assert not _ends(content[: content.rindex(_ZIP64_END)])


def test_a_zip64_whose_end_record_holds_the_real_values_shows_its_end(tmp_path: Path) -> None:
    """Apache commons-compress (Zip64Mode.Always, Java exporters through POI) writes the ZIP64 records and
    the real counts in the classic end record too: the directory then ends where the ZIP64 record begins."""
    workbook = _book("xlsx", tmp_path)
    end = workbook.rindex(b"PK\x05\x06")
    entries, length, offset = struct.unpack_from("<HII", workbook, end + 10)
    record = _ZIP64_END + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, entries, entries, length, offset)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, end, 1)
    crafted = workbook[:end] + record + locator + workbook[end:]
    assert zipfile.ZipFile(io.BytesIO(crafted)).testzip() is None
    assert _ends(crafted)
    assert not _ends(crafted[: end + 56])  # cut after the ZIP64 record


def test_a_comment_ending_in_what_looks_like_an_end_record_does_not_hide_the_real_one(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(_book("xlsx", tmp_path))
    with zipfile.ZipFile(path, "a") as archive:
        archive.comment = b"exported by GesFincas " + b"PK\x05\x06" + b"\0" * 18
    content = path.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    assert _ends(content)
