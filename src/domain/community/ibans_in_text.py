"""IBANs in free text (a log line, an error an upstream sent back), masked as receipts show them
(`mask_iban`: country, check digits and last 4).

Two shapes are taken for an IBAN:
- upper case, compact or in groups of 4 (by spaces or hyphens): masked whatever its check digits, since
  one that fails them is still somebody's account, mistyped;
- any other case or grouping (`es91…`, `ES91 2100 0418 45 0200051332`): only when it is as long as its
  country's IBANs, its national part has their shape (digits, letters where theirs has them) and its
  check digits hold — so a hex id, a UUID or a run of numbers that starts with
  two letters and two digits stays as it was."""

from __future__ import annotations

import re

from prorata.domain.community.iban import mask_iban, normalize_iban
from prorata.domain.community.iban_countries import IBAN_LENGTHS, national_part

_UPPER = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}"
    r"(?:[A-Z0-9]{11,30}|(?P<sep>[ -])[A-Z0-9]{4}(?:(?P=sep)[A-Z0-9]{4}){2,6}(?:(?P=sep)\d{1,3})?)"
    r"(?![A-Za-z0-9])"
)
# Two letters, two digits, then groups each holding a digit or of at most four letters (a bank's code as
# in `gb29 nwbk 6016…`, a currency at the end): longer words end the run, however long it is (an IBAN
# after a run of short words is in it).
_LOOSE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[A-Za-z0-9]*"
    r"(?:[ -](?:(?=[A-Za-z]*\d)[A-Za-z0-9]+|[A-Za-z]{1,4}(?![A-Za-z0-9])))*(?![A-Za-z0-9])"
)
_MAYBE = re.compile(r"[A-Za-z]{2}\d{2}")
_CHUNK = re.compile(r"[A-Za-z0-9]+")
_UUID = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")
# Hex with three letters or more past the check digits: an id or a digest, not an IBAN (whose letters
# are few: `bf42bf08…`, all hex, is Burkina Faso's).
_HEX_ID = re.compile(r"[0-9a-f]{4}(?:[0-9]*[a-f]){3}[0-9a-f]*")


def mask_ibans(text: str) -> str:
    if not _MAYBE.search(text):  # most text: no IBAN can start in it
        return text
    text = _UPPER.sub(lambda found: mask_iban(_compact(found.group())), text)
    if not _LOOSE.search(text):
        return text
    pieces = _UUID.split(text)  # every other piece a UUID, kept whole
    return "".join(
        p if n % 2 else _LOOSE.sub(lambda found: _masked_run(found.group()), p) for n, p in enumerate(pieces)
    )


def _masked_run(run: str) -> str:
    """`run` (groups of letters and digits) with each IBAN in it masked: from each group, the groups that
    add up to its country's IBAN length, if they are one."""
    chunks = list(_CHUNK.finditer(run))
    told, kept_to, n = [], 0, 0
    while n < len(chunks):
        last = _iban_from(run, chunks, n)
        if last is None:
            n += 1
            continue
        start, end = chunks[n].start(), chunks[last].end()
        told += [run[kept_to:start], mask_iban(_compact(run[start:end]))]
        kept_to, n = end, last + 1
    return "".join([*told, run[kept_to:]])


def _iban_from(run: str, chunks: list[re.Match[str]], n: int) -> int | None:
    """The last group of the IBAN that starts with group `n`, if one does: only one run of groups from
    it has its country's length, so a run of any length is looked at group by group, once."""
    length = IBAN_LENGTHS.get(chunks[n].group()[:2].upper())
    if length is None:
        return None
    size, last = 0, n
    while last < len(chunks):
        size += len(chunks[last].group())
        if size >= length:
            break
        last += 1
    if size != length:
        return None
    rest = [chunk.group() for chunk in chunks[n + 1 : last + 1]]
    words = sum(1 for group in rest if group.isalpha())
    if words > len(rest) - words:  # more words than numbers: a sentence, not a bank code and an account
        return None
    return last if _is_iban(run[chunks[n].start() : chunks[last].end()]) else None


def _is_iban(text: str) -> bool:
    compact = _compact(text)
    if len(compact) != IBAN_LENGTHS.get(compact[:2]) or not compact[2:4].isdigit():
        return False
    shape = national_part(compact[:2])
    if shape is None or not shape.fullmatch(compact[4:]):
        return False
    if _HEX_ID.fullmatch(compact.lower()):
        return False
    try:
        normalize_iban(compact)
    except ValueError:
        return False
    return True


def _compact(text: str) -> str:
    return re.sub(r"[ -]", "", text).upper()
