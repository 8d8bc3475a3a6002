"""The text of a PDF as a reader's tool extracts it (poppler's pdftotext -layout): what a person can
search, copy and read. Without pdftotext the test is skipped, saying why — and fails under CI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

INSTALL = "pdftotext (poppler-utils) is not installed: `make pdf-tools` installs it"


def pdf_text(content: bytes) -> str:
    """The layout text, with no-break spaces as spaces."""
    tool = shutil.which("pdftotext")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL)
        pytest.skip(INSTALL)
    done = subprocess.run(
        [tool, "-layout", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8").replace("\xa0", " ")


def flowing(text: str) -> str:
    """The text with every run of blanks and line breaks as one space: for sentences that wrap."""
    return re.sub(r"\s+", " ", text)
