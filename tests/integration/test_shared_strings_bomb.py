"""A shared-strings bomb: one long string in sharedStrings.xml referenced by every cell of a sheet — a
1.6 MB file that a reader expands to 720 MB of cells. The reading child runs out of memory; that must end
it at once as `file_too_large`, whatever the environment says about Rust backtraces (with
RUST_BACKTRACE=1 the out-of-memory panic used to hang the child until its wall-clock limit)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits
from prorata.domain.problems import InvalidInput

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"


def shared_strings_bomb(path: Path, rows: int = 120_000, columns: str = "ABCDEF") -> Path:
    cells = "".join(
        f'<row r="{n}">' + "".join(f'<c r="{c}{n}" t="s"><v>0</v></c>' for c in columns) + "</row>"
        for n in range(1, rows + 1)
    )
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{_PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship Id="rId1" '
        f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
        '<sheet name="Lecturas" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}"><si><t>{"Z" * 1_000}</t></si></sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{cells}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_a_shared_strings_bomb_is_too_large_at_once_even_with_rust_backtraces_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    path = shared_strings_bomb(tmp_path / "bomba.xlsx")
    assert path.stat().st_size < 2 * 1024 * 1024
    reader = AnyFormatSpreadsheetReader(FileLimits(child_seconds=30))
    with pytest.raises(InvalidInput) as raised:
        reader.read(path)
    assert [p.code for p in raised.value.problems] == ["file_too_large"], raised.value.problems
    message = raised.value.problems[0].message
    assert message.startswith("bomba.xlsx: ")
    # Refused for its size as its cells are counted, not after exhausting the time or memory allowed.
    assert "bytes of cells" in message, message
