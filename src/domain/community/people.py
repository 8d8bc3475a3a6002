"""Telling who a file's owner column names: the same person across a tenant's units, or someone new."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence

from prorata.domain.community.model import Resident

_TAX_ID = re.compile(r"[A-Z0-9]{4,30}")
_SEPARATORS = re.compile(r"[\s.\-/]+")


def name_key(name: str) -> str:
    """A name as compared: "  Rosa  DÍAZ " and "rosa diaz" are the same name."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(text.split())


def normalize_tax_id(text: str) -> str:
    """A tax id (NIF, NIE, CIF, Steuer-ID, numéro fiscal) in one form: upper case, without the spaces,
    dots, dashes and slashes people write in it. Raises ValueError for text that cannot be one."""
    compact = _SEPARATORS.sub("", text).upper()
    if not _TAX_ID.fullmatch(compact):
        raise ValueError(f"{text!r} is not a tax id (4 to 30 letters and digits)")
    return compact


def find_resident(
    candidates: Sequence[Resident],
    name: str,
    tax_id: str | None,
    iban: str | None,
    unit_id: str,
    community: Collection[str],
) -> Resident | None:
    """The resident a row naming `name` (with its tax id and IBAN, when given) as owner of the unit
    means, among `candidates`; None for someone new. `community` holds the ids of the residents of the
    unit's community.

    A tax id names one person, whatever the name says. Otherwise the name must match (case, accents and
    spacing aside) and no tax ids may differ, and then: with the same IBAN, it is that person anywhere in
    the tenant; the unit's own holder by that name is the same person, whose account changed; and within
    the community, a name alone is enough unless the IBANs differ. Across communities a name alone is not:
    two neighbours of different buildings may share one."""
    if tax_id is not None:
        for resident in candidates:
            if resident.tax_id == tax_id:
                return resident
    key = name_key(name)
    named = [
        r
        for r in candidates
        if name_key(r.name) == key and (tax_id is None or r.tax_id is None or r.tax_id == tax_id)
    ]
    if iban is not None:
        for resident in named:
            if resident.iban == iban:
                return resident
    for resident in named:
        if resident.id in community and any(o.unit_id == unit_id for o in resident.occupancies):
            return resident
    for resident in named:
        if resident.id in community and (iban is None or resident.iban is None):
            return resident
    return None
