"""Bank accounts checked with schwifty: the IBAN's check digits and, where its country has them, the
national control digits of the account number (the two "DC" digits of a Spanish account)."""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException


class SchwiftyBankAccounts:
    def iban_problem(self, iban: str) -> str | None:
        try:
            IBAN(iban, validate_bban=True)
        except SchwiftyException as error:
            return f"{iban} is not a valid IBAN: {_lower(str(error))}"
        return None

    def bic_problem(self, bic: str) -> str | None:
        try:
            BIC(bic)
        except SchwiftyException as error:
            return f"{bic} is not a BIC: {_lower(str(error))}"
        return None

    def bic_of(self, iban: str) -> str | None:
        try:
            found = IBAN(iban).bic
        except SchwiftyException:
            return None
        return None if found is None else str(found)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
