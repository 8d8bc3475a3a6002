"""Brute-force protection by evidence. Only a failed authentication counts — a password refused, a known
key whose signature failed — never a key offer the server merely declined (an SSH client offers each of
its keys in turn). Failures are counted for one user name from one address, for an address (whatever
names it tries) and for a user name (from anywhere); each has its own limit within the window, and
reaching it bans that subject — even the right credential is refused while the ban lasts. The limit per
address is higher than per login, so a user's mistakes do not lock out the address's other users, and
the account-wide one much higher still: only a spread-out attack locks an account from everywhere."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from prorata.domain.dropzone.model import VALID_USERNAME

# A user name no account can have (too long, odd characters) is one subject, whatever it is: an
# attacker inventing names does not get a fresh count per name, and nothing unbounded is stored.
NOT_AN_ACCOUNT = "(not an account name)"


class Scope(StrEnum):
    LOGIN = "login"  # one user name from one address
    ADDRESS = "address"  # every user name from one address
    ACCOUNT = "account"  # one user name from every address


@dataclass(frozen=True, slots=True)
class Subject:
    scope: Scope
    name: str


def subjects_of(username: str, address: str) -> tuple[Subject, Subject, Subject]:
    """What a login attempt counts against: (login, address, account)."""
    account = username if re.fullmatch(VALID_USERNAME, username) else NOT_AN_ACCOUNT
    address = address[:64]
    return (
        Subject(Scope.LOGIN, f"{account}@{address}"),
        Subject(Scope.ADDRESS, address),
        Subject(Scope.ACCOUNT, account),
    )


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failures: int = 5  # one user name from one address
    max_address_failures: int = 20
    max_account_failures: int = 100
    window: timedelta = timedelta(minutes=10)
    ban: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        limits = (self.max_failures, self.max_address_failures, self.max_account_failures)
        if min(limits) < 1:
            raise ValueError("each failure limit is at least 1")
        if self.window <= timedelta(0) or self.ban <= timedelta(0):
            raise ValueError("the window and the ban last some time")

    def limit(self, scope: Scope) -> int:
        return {
            Scope.LOGIN: self.max_failures,
            Scope.ADDRESS: self.max_address_failures,
            Scope.ACCOUNT: self.max_account_failures,
        }[scope]

    def to_ban(self, failures: Mapping[Subject, int]) -> tuple[Subject, ...]:
        """The subjects whose failures within the window reached their limit."""
        return tuple(s for s, count in failures.items() if count >= self.limit(s.scope))
