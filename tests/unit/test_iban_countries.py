"""The IBAN formats the domain keeps (standard library only) against schwifty's copy of the SWIFT IBAN
registry: a length or a shape wrong by one would let a real IBAN through unredacted, or take a number for an
IBAN."""

from __future__ import annotations

from schwifty import registry
from schwifty.exceptions import InvalidCountryCode

from prorata.domain.community.iban_countries import BESIDE_THE_REGISTRY, IBAN_FORMATS, IBAN_LENGTHS


def test_every_country_format_and_length_is_the_registrys() -> None:
    theirs = {country: registry.get_iban_spec(country) for country in IBAN_FORMATS}
    assert {country: spec.bban_spec for country, spec in theirs.items()} == IBAN_FORMATS
    assert {country: spec.iban_length for country, spec in theirs.items()} == IBAN_LENGTHS
    assert {country for country, spec in theirs.items() if spec.aspirational} == BESIDE_THE_REGISTRY


def test_every_country_with_ibans_of_its_own_is_there_and_no_other() -> None:
    # Réunion, Jersey, Åland…: schwifty knows their codes, but their IBANs start FR, GB, FI.
    known = set(registry.get_countries()) | set(_iban_countries())
    own = {country for country in known if registry.get_iban_spec(country).iban_spec.startswith(country)}
    assert sorted(own ^ set(IBAN_FORMATS)) == []


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
