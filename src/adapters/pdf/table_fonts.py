"""The embedded font (borb_runtime.font), made fit for pages of many table cells, and what it can print.

borb measures every text by a linear search of the font's width table (`W`) for each character, and the
subset's table lists each of its 238 glyphs as a run of its own (476 entries): a landscape page of 450
table cells spent ~1.0 s measuring text. The same widths as one run (`[0, [w0 … w237]]`, valid PDF) are
found at once: ~0.17 s for that page, and `make bench` (bench_distribution.py) shows a page of plain text
lines at ~10 ms against ~60-80 ms with the font as loaded. The change is made on a copy: the font other
documents share is untouched."""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

from prorata.adapters.pdf.borb_runtime import font

_BLANKS = re.compile(r"\s+")
UNPRINTABLE = "?"
# Glyphs of the subsets whose width borb reads as 0 (so the next character is drawn over them), shown as
# their nearest plain form.
_ZERO_WIDTH = str.maketrans(
    {"\xa0": " ", "«": '"', "»": '"', "\xad": "", "²": "2", "³": "3", "¹": "1", "µ": "u"}
)


@cache
def table_font(bold: bool = False) -> Any:
    """borb_runtime's font with its widths as one run, when its glyph ids run without a gap (as the
    project's subsets do); the font itself otherwise."""
    shared = font(bold)
    descendant = shared["DescendantFonts"][0]
    widths = descendant.get("W", [])
    ids, runs = widths[0::2], widths[1::2]
    contiguous = ids == list(range(len(ids))) and all(isinstance(r, list) and len(r) == 1 for r in runs)
    if not contiguous:
        return shared
    compact = copy.copy(descendant)
    compact["W"] = [0, [run[0] for run in runs]]
    result = copy.copy(shared)
    result["DescendantFonts"] = [compact]
    return result


@cache
def _printable(bold: bool) -> frozenset[str]:
    shown = font(bold)
    return frozenset(c for c in map(chr, range(0x20, 0x2200)) if shown.get_character_code(c) != -1)


def printable(text: str, bold: bool = False) -> str:
    """The text on one line, each character the font lacks (borb would fail on it) shown as `?`."""
    known = _printable(bold)
    one_line = _BLANKS.sub(" ", text.translate(_ZERO_WIDTH)).strip()
    return "".join(c if c in known else UNPRINTABLE for c in one_line)
