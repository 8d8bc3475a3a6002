"""borb made safe to use in a server: no usage data sent, no signal handlers replaced, nothing printed.

Every module that touches borb imports it from here, so `opt_out()` has run before borb's first use in
every process (borb otherwise posts usage data from the first write and installs SIGINT/SIGTERM handlers
that make SIGTERM end in a TypeError)."""

from __future__ import annotations

import io
import threading
from functools import cache
from pathlib import Path
from typing import Any

from borb.pdf import PDF, Document, TrueTypeFont, UsageStatistics

UsageStatistics.opt_out()

FONTS = Path(__file__).with_name("fonts")
_WRITING = threading.Lock()


@cache
def font(bold: bool = False) -> Any:
    """DejaVu Sans, subset to Latin-1 + € (fonts/make_subsets.py): borb's Standard-14 fonts write
    latin-1 only, so € and — would not print. Loaded once per process (a borb font is read-only)."""
    return TrueTypeFont.from_file(FONTS / ("DejaVuSans-Bold-Latin1.ttf" if bold else "DejaVuSans-Latin1.ttf"))


def pdf_bytes(document: Document) -> bytes:
    """The document written to bytes, without borb's licence reminder on stdout (it prints one every 64
    documents even when opted out: the counter is reset before each write)."""
    out = io.BytesIO()
    with _WRITING:
        UsageStatistics._UsageStatistics__UNLICENSED_DOCS_COUNT = 0
        PDF.write(what=document, where_to=out)
    return out.getvalue()
