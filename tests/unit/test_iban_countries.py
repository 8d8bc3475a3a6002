"""The IBAN lengths the domain keeps (standard library only) against schwifty's copy of the SWIFT IBAN
registry: a length wrong by one would let a real IBAN through unredacted, or take a number for an IBAN."""

from __future__ import annotations

from schwifty import registry
from schwifty.exceptions import InvalidCountryCode

from prorata.domain.community.iban_countries import IBAN_LENGTHS


def test_every_country_length_is_the_registrys() -> None:
    theirs = {country: registry.get_iban_spec(country).iban_length for country in IBAN_LENGTHS}
    assert theirs == IBAN_LENGTHS


def test_no_country_of_the_registry_is_missing() -> None:
    known = set(registry.get_countries()) | set(_iban_countries())
    assert sorted(known - set(IBAN_LENGTHS)) == []


def _iban_countries() -> list[str]:
    """Countries schwifty has an IBAN spec for, whether or not it lists banks of theirs."""
    found = []
    for first in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for second in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            try:
                registry.get_iban_spec(first + second)
            except InvalidCountryCode:
                continue
            found.append(first + second)
    return found
