"""The CSV reader on real files, as management systems write them."""

from decimal import Decimal
from pathlib import Path

import pytest

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.adapters.spreadsheets.limits import FileLimits
from prorata.domain.problems import InvalidInput
from prorata.domain.readings.extract import extract_readings

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"


def read(path: Path, limits: FileLimits | None = None) -> list[tuple[str, Decimal | None, Decimal | None]]:
    workbook = AnyFormatSpreadsheetReader(limits).read(path)
    found = extract_readings(workbook.sheets[0], None, workbook.decimal_hint)
    assert found.problems == []
    return [(r.unit, r.reading.previous, r.reading.current) for r in found.readings]


def test_reads_the_spanish_sample_windows_1252_semicolons_crlf_and_thousands_dots() -> None:
    rows = read(SAMPLES / "readings-heating-es.csv")
    assert rows[0] == ("Bajo A", Decimal("1022.4"), Decimal("1198.9"))
    assert rows[-1] == ("Ático", Decimal("5012.9"), Decimal("5402.35"))
    assert len(rows) == 9


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_detects_the_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "lecturas.csv"
    path.write_bytes(
        "Vivienda;Contador;Lectura anterior;Lectura actual\r\nÁtico;C-1;1,5;2,5\r\n".encode(encoding)
    )
    assert read(path) == [("Ático", Decimal("1.5"), Decimal("2.5"))]


def test_reads_commas_with_quoted_decimal_commas_a_title_block_and_empty_trailing_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Comunitat Carrer Major 5,,,\nLectures 2026,,,\n,,,\n"
        "Habitatge,Comptador,Lectura anterior,Lectura actual\n"
        '1r 1a,K-1,"1.234,5","1.300,25"\n,,,\n,,,\n',
        encoding="utf-8",
    )
    assert read(path) == [("1r 1a", Decimal("1234.5"), Decimal("1300.25"))]


def test_reads_tabs_and_decimal_points(tmp_path: Path) -> None:
    path = tmp_path / "readings.txt"
    path.write_text(
        "Unit\tMeter\tPrevious reading\tCurrent reading\nFlat 1\tM1\t1,234.5\t1,240\n", encoding="utf-8"
    )
    assert read(path) == [("Flat 1", Decimal("1234.5"), Decimal("1240"))]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"PK\x03\x04rest of a zip", "unsupported_file"),
        (b"Unit;Current\x00;Previous", "unsupported_file"),
        (b"Unit;Previous;Current\n" + b"A;1;2\n" * 20, "file_too_large"),
        (b"Unit;Previous;Current\nA;1;" + b"9" * 2000 + b"\n", "file_too_large"),
    ],
)
def test_turns_bad_files_into_clean_errors(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as raised:
        AnyFormatSpreadsheetReader(FileLimits(max_rows=10)).read(path)
    assert [p.code for p in raised.value.problems] == [code]
    assert "upload.csv" in raised.value.problems[0].message


def test_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"Unit;Previous;Current\n" + b"A;1;2\n" * 100)
    with pytest.raises(InvalidInput) as raised:
        AnyFormatSpreadsheetReader(FileLimits(max_bytes=100)).read(path)
    assert [p.code for p in raised.value.problems] == ["file_too_large"]
