"""BICs (ISO 9362) as the pain.008 schemas take them: bank, country, location, optional branch."""

from __future__ import annotations

import re

_SHAPE = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")


class InvalidBic(ValueError):
    """Not shaped like a BIC."""


def normalize_bic(text: str) -> str:
    """The BIC upper case, without surrounding spaces; InvalidBic when it is not shaped like one."""
    bic = text.strip().upper()
    if not _SHAPE.fullmatch(bic):
        raise InvalidBic(f"{bic!r} is not a BIC (8 or 11 letters and digits: CAIXESBBXXX)")
    return bic
