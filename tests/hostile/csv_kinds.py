"""Hostile CSV files: bytes flipped, cut short, cells far off or huge, control characters, formulas,
broken encodings, quotes never closed, odd line ends, NUL bytes, two encodings in one file."""

from __future__ import annotations

import random

from tests.hostile.originals import control_texts, csv_bytes, formula_texts, good_csv, huge, text_rows
from tests.hostile.packages import Cell


def csv_byte_flips(rng: random.Random) -> tuple[str, bytes]:
    data = bytearray(good_csv())
    for _ in range(rng.randint(1, 12)):
        data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
    return ".csv", bytes(data)


def csv_truncated(rng: random.Random) -> tuple[str, bytes]:
    data = good_csv().decode("cp1252").encode("utf-8")  # a cut may fall inside a character
    return ".csv", data[: rng.randrange(1, len(data))]


def csv_huge_cell(rng: random.Random) -> tuple[str, bytes]:
    rows: list[list[Cell]] = [list(r) for r in text_rows()]
    huge(rng, rows)
    return ".csv", csv_bytes([[str(c) for c in row] for row in rows])


def csv_control_characters(rng: random.Random) -> tuple[str, bytes]:
    rows: list[list[Cell]] = [list(r) for r in text_rows()]
    control_texts(rng, rows)
    return ".csv", csv_bytes([[str(c) for c in row] for row in rows], "utf-8")


def csv_formulas(rng: random.Random) -> tuple[str, bytes]:
    rows: list[list[Cell]] = [list(r) for r in text_rows()]
    formula_texts(rng, rows)
    return ".csv", csv_bytes([[str(c) for c in row] for row in rows], "utf-8")


def csv_far_cells(rng: random.Random) -> tuple[str, bytes]:
    """A cell far to the right, or far below, of the readings."""
    rows = text_rows()
    if rng.random() < 0.5:
        rows[rng.randrange(len(rows))].extend([""] * rng.choice([300, 20_000]) + ["far"])
        return ".csv", csv_bytes(rows)
    return ".csv", csv_bytes(rows) + b"\r\n" * rng.choice([1_000, 200_000]) + b"far;1;2;3;4;5\r\n"


def csv_broken_encoding(rng: random.Random) -> tuple[str, bytes]:
    """Bytes no encoding reads as text: surrogates and overlong forms in UTF-8, a BOM mid-file."""
    data = bytearray(csv_bytes(text_rows(), "utf-8"))
    for junk in rng.sample(
        [b"\xed\xa0\x80", b"\xc0\xaf", b"\xff\xfe", b"\xef\xbb\xbf", b"\xf4\x90\x80\x80"], 3
    ):
        at = rng.randrange(len(data))
        data[at:at] = junk
    return ".csv", bytes(data)


def csv_unbalanced_quotes(rng: random.Random) -> tuple[str, bytes]:
    rows = text_rows()
    r = rng.randrange(len(rows))
    rows[r][rng.randrange(len(rows[r]))] = '"' + "sin cerrar;" * rng.randint(1, 50)
    return ".csv", csv_bytes(rows)


def csv_line_ends_and_encodings(rng: random.Random) -> tuple[str, bytes]:
    """Lines ended by CR alone or by LF CR, NUL bytes, halves in two encodings, a line of a megabyte."""
    data = good_csv()
    trick = rng.choice(["cr", "lfcr", "nul", "mixed", "long"])
    if trick in ("cr", "lfcr"):
        return ".csv", data.replace(b"\r\n", b"\r" if trick == "cr" else b"\n\r")
    if trick == "nul":
        at = rng.randrange(len(data))
        return ".csv", data[:at] + b"\x00" * rng.randint(1, 3) + data[at:]
    if trick == "mixed":
        half = len(data) // 2
        return ".csv", data[:half] + data[half:].decode("cp1252").encode("utf-8")
    return ".csv", data + b"x" * rng.choice([1_001, 1024 * 1024]) + b";1;2\r\n"
