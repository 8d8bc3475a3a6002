"""A CSV file cut off midway — an upload stopped by a server that does not know it was interrupted — is an
error naming its last row, never a shorter file read as if it were whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from prorata.adapters.spreadsheets.any_format import AnyFormatSpreadsheetReader
from prorata.domain.problems import ErrorCode, InvalidInput

HEADER = "Piso;Contador;Lectura anterior;Lectura actual\r\n"
ROWS = "".join(f"{n}A;CAL-{n:04d};{n},5;{n + 1},25\r\n" for n in range(1, 6))


def _read(tmp_path: Path, text: str) -> int:
    path = tmp_path / "lecturas.csv"
    path.write_bytes(text.encode("utf-8"))
    return len(AnyFormatSpreadsheetReader().read(path).sheets[0].rows)


@pytest.mark.parametrize(
    ("tail", "why"),
    [
        ("6A;CAL-0006;6", "fields"),  # the last line lost its last fields
        ('6A;"CAL-0006', "quote"),  # and a quoted field its closing quote
        ('6A;CAL-0006;"6,5;7,25', "quote"),
    ],
)
def test_a_last_line_cut_off_without_its_line_ending_is_an_unsupported_file_naming_the_row(
    tmp_path: Path, tail: str, why: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        _read(tmp_path, HEADER + ROWS + tail)
    [problem] = raised.value.problems
    assert problem.code is ErrorCode.UNSUPPORTED_FILE
    assert "row 7" in problem.message
    assert why in problem.message


def test_a_quoted_field_left_open_across_lines_at_the_end_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as raised:
        _read(tmp_path, HEADER + ROWS + '6A;"CAL-0006\r\n;6,5;7,25\r\n')
    assert raised.value.problems[0].code is ErrorCode.UNSUPPORTED_FILE


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (HEADER + ROWS + "6A;CAL-0006;6,5;7,25", 7),  # whole, without a final line ending
        (HEADER + ROWS + '6A;"CAL-0006";6,5;"7,25"', 7),
        (HEADER + ROWS, 6),
        (HEADER + ROWS + ";;;", 6),  # an empty last row
    ],
)
def test_a_whole_last_row_needs_no_line_ending(tmp_path: Path, text: str, rows: int) -> None:
    assert _read(tmp_path, text) == rows
