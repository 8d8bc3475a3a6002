"""Text we hand back to a manager (a workbook's cells and sheet names, a CSV's cells, a download's name),
made safe to open: no spreadsheet program runs it as a formula, and no writer or header refuses it.

The neutralizing rule is OWASP's for CSV injection: a value that starts with a character a spreadsheet
program reads as the start of a formula gets a leading apostrophe, which makes it plain text. The rule
is about text: a number stays a number (-12.5 in a numeric cell is no formula)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# OWASP's list (=, +, -, @, tab, carriage return), with the line feed a CSV cell may also start with,
# and the full-width forms some locales of Excel read as the ASCII ones.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NEUTRALIZER = "'"
REPLACEMENT = "\ufffd"
# Characters XML 1.0 cannot hold (so neither can an XLSX): C0 controls other than tab, line feed and
# carriage return, lone surrogates, and the two noncharacters U+FFFE and U+FFFF.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel's bounds: characters a cell holds, and a sheet name's length and characters.
MAX_CELL_CHARS = 32_767
MAX_TITLE_CHARS = 31
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
# What a file name in a Content-Disposition header, or on a manager's disk, must not hold — with the
# bidirectional controls, which reorder how a name is shown ("factura\u202egpj.exe" shows as
# "facturaexe.jpg").
_NAME_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;%\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]')


def writable(text: str) -> str:
    """The text with every character a workbook cannot hold replaced by U+FFFD."""
    return _UNWRITABLE.sub(REPLACEMENT, text)


def safe_text(text: str) -> str:
    """A cell's text as we write it back: writable, at most Excel's 32,767 characters, and never read
    as a formula."""
    text = writable(text)
    if text.startswith(FORMULA_TRIGGERS):
        text = NEUTRALIZER + text
    return text[:MAX_CELL_CHARS]


def safe_cells(values: Iterable[object]) -> list[object]:
    """A row's cells as we write them back (a CSV row, say): each text through `safe_text`, numbers and
    empty cells as they are."""
    return [safe_text(v) if isinstance(v, str) else v for v in values]


def sheet_titles(names: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """A valid, unique (as Excel compares them: ignoring case) sheet name for each name, none equal to
    a `reserved` one. Excel refuses `[]:*?/\\` and control characters (each becomes `_`), a name past
    31 characters, an apostrophe at either end (so a name that starts like a formula takes an underscore
    rather than the apostrophe) and "History", a name it keeps for itself."""
    taken = {name.casefold() for name in (*reserved, "History")}
    titles = []
    for name in names:
        base = _TITLE_FORBIDDEN.sub("_", writable(name)).strip(" '")
        if base.startswith(FORMULA_TRIGGERS):
            base = "_" + base
        base = base[:MAX_TITLE_CHARS].rstrip(" '") or "Sheet"
        title, number = base, 1
        while title.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            title = base[: MAX_TITLE_CHARS - len(suffix)] + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles


def safe_file_name(name: str, fallback: str = "file") -> str:
    """A file name safe in a download's header and on any disk: characters with a meaning there become
    `_`; letters of any script stay (the header carries them encoded)."""
    cleaned = _NAME_FORBIDDEN.sub("_", writable(name)).strip(" .")
    return cleaned[:200] or fallback
