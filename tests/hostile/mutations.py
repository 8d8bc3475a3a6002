"""Hostile readings files made from the sample export (tests/fixtures/samples): damaged bytes, cut files,
far and huge cells, control characters, formulas, XML entities, zip tricks and deflate bombs, as CSV, XLSX
and ODS. The same seed always makes the same files.

`corpus(seed, count)` deals the kinds out in turn, so every kind has its share of any corpus of at least
`len(KINDS)` files; each kind draws its details (where to flip, which formula, how far) from the seed."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from tests.hostile import csv_kinds, workbook_kinds
from tests.hostile.originals import REQUEST, good_csv

__all__ = ["KINDS", "REQUEST", "Hostile", "corpus", "good_csv"]


@dataclass(frozen=True)
class Hostile:
    kind: str
    name: str
    content: bytes

    def __repr__(self) -> str:  # pytest prints it in failures: not the megabytes
        return f"Hostile({self.name}, {len(self.content)} bytes)"


KINDS: dict[str, Callable[[random.Random], tuple[str, bytes]]] = {
    make.__name__.replace("_", "-"): make
    for make in (
        csv_kinds.csv_byte_flips,
        csv_kinds.csv_truncated,
        csv_kinds.csv_huge_cell,
        csv_kinds.csv_control_characters,
        csv_kinds.csv_formulas,
        csv_kinds.csv_far_cells,
        csv_kinds.csv_broken_encoding,
        csv_kinds.csv_unbalanced_quotes,
        csv_kinds.csv_line_ends_and_encodings,
        workbook_kinds.workbook_byte_flips,
        workbook_kinds.workbook_truncated,
        workbook_kinds.workbook_huge_cell,
        workbook_kinds.workbook_control_characters,
        workbook_kinds.workbook_formulas,
        workbook_kinds.workbook_far_cells,
        workbook_kinds.xlsx_far_rows,
        workbook_kinds.ods_far_rows,
        workbook_kinds.workbook_xml_entities,
        workbook_kinds.zip_wrong_sizes,
        workbook_kinds.zip_duplicate_names,
        workbook_kinds.zip_path_traversal,
        workbook_kinds.zip_deflate_bomb,
        workbook_kinds.xls_damaged,
        workbook_kinds.wrong_suffix,
    )
}


@cache
def corpus(seed: int, count: int) -> tuple[Hostile, ...]:
    """`count` hostile files, the kinds dealt out in turn."""
    rng = random.Random(seed)
    files = []
    for number, kind in zip(range(count), itertools.cycle(KINDS), strict=False):
        suffix, content = KINDS[kind](random.Random(rng.getrandbits(64)))
        files.append(Hostile(kind, f"{kind}-{number:04d}{suffix}", content))
    return tuple(files)
