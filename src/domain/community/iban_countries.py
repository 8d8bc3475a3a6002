"""Each country's IBAN: its length and the shape of its national part (BBAN) — the SWIFT IBAN registry's,
and those banks give beside it as schwifty lists them (the BCEAO and BEAC zones, Algeria, Morocco…). They tell
an IBAN written in lower case or grouped at random apart from an id or a number that happens to start with
two letters and two digits. Territories whose IBANs are their parent's (Réunion's are FR…, Jersey's GB…)
have no entry: no IBAN starts with their code."""

from __future__ import annotations

import re
from functools import cache

# The national part as the registry writes it: `5!n` five digits, `4!a` four capitals, `11!c` eleven of
# either.
IBAN_FORMATS = {
    "AD": "4!n4!n12!c", "AE": "3!n16!n", "AL": "8!n16!c", "AO": "21!n", "AT": "5!n11!n", "AZ": "4!a20!c",
    "BA": "3!n3!n8!n2!n", "BE": "3!n7!n2!n", "BF": "2!c22!n", "BG": "4!a4!n2!n8!c", "BH": "4!a14!c",
    "BI": "5!n5!n11!n2!n", "BJ": "2!c22!n", "BR": "8!c5!n10!n1!c1!c", "BY": "4!c4!n16!c", "CF": "23!n",
    "CG": "23!n", "CH": "5!n12!c", "CI": "2!a22!n", "CM": "23!n", "CR": "4!n14!n", "CV": "21!n",
    "CY": "3!n5!n16!c", "CZ": "4!n6!n10!n", "DE": "8!n10!n", "DJ": "23!n", "DK": "4!n9!n1!n", "DO": "4!c20!n",
    "DZ": "22!n", "EE": "2!n2!n11!n1!n", "EG": "4!n4!n17!n", "ES": "4!n4!n1!n1!n10!n", "FI": "3!n11!n",
    "FK": "2!a12!n", "FO": "4!n9!n1!n", "FR": "5!n5!n11!c2!n", "GA": "23!n", "GB": "4!a6!n8!n",
    "GE": "2!a16!n", "GI": "4!a15!c", "GL": "4!n9!n1!n", "GQ": "23!n", "GR": "3!n4!n16!c", "GT": "4!c20!c",
    "GW": "2!c19!n", "HN": "4!a20!n", "HR": "7!n10!n", "HU": "3!n4!n1!n15!n1!n", "IE": "4!a6!n8!n",
    "IL": "3!n3!n13!n", "IQ": "4!a3!n12!n", "IR": "22!n", "IS": "4!n2!n6!n10!n", "IT": "1!a5!n5!n12!c",
    "JO": "4!a4!n18!c", "KM": "23!n", "KW": "4!a22!c", "KZ": "3!n13!c", "LB": "4!n20!c", "LC": "4!a24!c",
    "LI": "5!n12!c", "LT": "5!n11!n", "LU": "3!n13!c", "LV": "4!a13!c", "LY": "3!n3!n15!n", "MA": "24!n",
    "MC": "5!n5!n11!c2!n", "MD": "2!c18!c", "ME": "3!n13!n2!n", "MG": "23!n", "MK": "3!n10!c2!n",
    "ML": "2!c22!n", "MN": "4!n12!n", "MR": "5!n5!n11!n2!n", "MT": "4!a5!n18!c", "MU": "4!a2!n2!n12!n3!n3!a",
    "MZ": "21!n", "NE": "2!a22!n", "NI": "4!a20!n", "NL": "4!a10!n", "NO": "4!n6!n1!n", "OM": "3!n16!c",
    "PK": "4!a16!c", "PL": "8!n16!n", "PS": "4!a21!c", "PT": "4!n4!n11!n2!n", "QA": "4!a21!c",
    "RO": "4!a16!c", "RS": "3!n13!n2!n", "RU": "9!n5!n15!c", "SA": "2!n18!c", "SC": "4!a2!n2!n16!n3!a",
    "SD": "2!n12!n", "SE": "3!n16!n1!n", "SI": "5!n8!n2!n", "SK": "4!n6!n10!n", "SM": "1!a5!n5!n12!c",
    "SN": "2!a22!n", "SO": "4!n3!n12!n", "ST": "4!n4!n11!n2!n", "SV": "4!a20!n", "TD": "23!n",
    "TG": "2!a3!n5!n12!n2!n", "TL": "3!n14!n2!n", "TN": "2!n3!n13!n2!n", "TR": "5!n1!n16!c", "UA": "6!n19!c",
    "VA": "3!n15!n", "VG": "4!a16!n", "XK": "4!n10!n2!n", "YE": "4!a4!n18!c",
}  # fmt: skip

# Countries whose IBANs are not in the SWIFT registry (schwifty's "aspirational" ones): banks' own
# formats disagree on where letters go (a Senegalese bank code of one letter and digits, `SN78K010…`,
# where schwifty has two letters), so a letter there is taken as either — a redactor had better mask one
# IBAN too many than leave one.
BESIDE_THE_REGISTRY = frozenset(
    {"AO", "BF", "BJ", "CF", "CG", "CI", "CM", "CV", "DZ", "GA", "GQ", "GW", "IR", "KM", "MA", "MG", "ML",
     "MZ", "NE", "SN", "TD", "TG"}
)  # fmt: skip

_KINDS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
_PART = re.compile(r"(\d+)!([nac])")

IBAN_LENGTHS = {
    country: 4 + sum(int(count) for count, _ in _PART.findall(national))
    for country, national in IBAN_FORMATS.items()
}


@cache
def national_part(country: str) -> re.Pattern[str] | None:
    """The pattern a compact, upper-case IBAN of `country` matches past its check digits, if it has IBANs."""
    national = IBAN_FORMATS.get(country)
    if national is None:
        return None
    if country in BESIDE_THE_REGISTRY:
        national = national.replace("!a", "!c")
    return re.compile("".join(f"{_KINDS[kind]}{{{count}}}" for count, kind in _PART.findall(national)))
