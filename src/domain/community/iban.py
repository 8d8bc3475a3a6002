"""IBANs: the ISO 13616 check, and the masked form shown on receipts."""

from __future__ import annotations

import re

_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")


def normalize_iban(text: str) -> str:
    """The IBAN without spaces, upper case. Raises ValueError if its check digits do not match."""
    iban = re.sub(r"\s+", "", text).upper()
    if not _SHAPE.fullmatch(iban):
        raise ValueError(f"{text!r} is not shaped like an IBAN")
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    if int(digits) % 97 != 1:
        raise ValueError(f"{text!r} has wrong check digits")
    return iban


def mask_iban(iban: str) -> str:
    """ES91 2100 0418 4502 0005 1332 -> ES91 **** **** **** **** 1332."""
    hidden = iban[:4] + "*" * (len(iban) - 8) + iban[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))
