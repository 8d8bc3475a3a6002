"""The SEPA creditor identifier (EPC262-08): country code, two check digits, a three-character business
code, then the national identifier (in Spain, the NIF: ES97000B12345678 for B12345678). The check
digits are ISO 7064 MOD 97-10 over the national identifier, the country code and "00"; the business code
is left out of the check, so a creditor may change it freely."""

from __future__ import annotations

import re

_SHAPE = re.compile(r"([A-Z]{2})(\d{2})([A-Z0-9]{3})([A-Z0-9]{1,28})")


class InvalidCreditorId(ValueError):
    """Not a creditor identifier, or its check digits do not match."""


def check_digits(country: str, national_id: str) -> str:
    """The two check digits of a creditor identifier for that country and national identifier."""
    digits = "".join(str(int(ch, 36)) for ch in f"{national_id}{country}00")
    return f"{98 - int(digits) % 97:02d}"


def normalize_creditor_id(text: str) -> str:
    """The identifier without spaces, upper case; InvalidCreditorId when it is malformed or its check
    digits are wrong (saying which digits it should carry)."""
    compact = re.sub(r"[\s\-]+", "", text).upper()
    found = _SHAPE.fullmatch(compact)
    if found is None:
        raise InvalidCreditorId(
            f"{text!r} is not a SEPA creditor identifier (country, 2 check digits, 3-character business "
            "code, national id: ES97000B12345678)"
        )
    country, digits, _, national = found.groups()
    expected = check_digits(country, national)
    if digits != expected:
        raise InvalidCreditorId(
            f"{text!r} has wrong check digits: for {country} and {national} they are {expected}"
        )
    return compact


def creditor_id_for(country: str, national_id: str, business_code: str = "000") -> str:
    """The creditor identifier of a national identifier (its default business code is 000)."""
    national = re.sub(r"[\s\-]+", "", national_id).upper()
    return f"{country}{check_digits(country, national)}{business_code}{national}"
