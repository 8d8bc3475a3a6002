"""Brute-force protection by evidence. Only a failed authentication counts — a password refused, a known
key whose signature failed — never a key offer the server merely declined (an SSH client offers each of
its keys in turn). Failures are counted for one user name from one address, for an address (whatever
names it tries; an IPv6 address counts as its /64, or the network the policy says) and for a user name
(from anywhere); each has its own limit within the window, and reaching it bans that subject — even the
right credential is refused while the ban lasts. The limit per address is higher than per login, so a
user's mistakes do not lock out the address's other users, and the account-wide one much higher still:
only a spread-out attack locks an account from everywhere."""

from __future__ import annotations

import ipaddress
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


# An IPv6 site or subscriber is given a /64 (RFC 6177): it can open each connection from another of its
# 2^64 addresses, so by default the /64 counts as one source (OpenSSH's PerSourceNetBlockSize=32:64; its
# default, 32:128, counts each address). A host that shares one /64 among customers (some VPS providers)
# would share their allowance too: there /128 counts each address; /56 or /48 a subscriber's delegation.
IPV6_SOURCE_PREFIX = 64
IPV6_PREFIXES = range(32, 129)  # wider than a /32 (an ISP's whole allocation) would be no one's


def checked_ipv6_prefix(prefix: int) -> int:
    """The prefix, if a source can be a network of that many bits; else ValueError."""
    if prefix not in IPV6_PREFIXES:
        raise ValueError(f"an IPv6 source is a network of 32 to 128 bits, not {prefix}")
    return prefix


def source_of(address: str, ipv6_prefix: int = IPV6_SOURCE_PREFIX) -> str:
    """The source a client's address counts as: an IPv4 address itself (also when an IPv6 socket shows it
    as ::ffff:a.b.c.d), an IPv6 address its network of `ipv6_prefix` bits (at 128: itself); anything else
    as given, bounded."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])  # a zone (fe80::1%eth0) is not the source
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        if ipv6_prefix < 128:
            return str(ipaddress.IPv6Network((parsed, ipv6_prefix), strict=False))
    return str(parsed)


def subjects_of(
    username: str, address: str, ipv6_prefix: int = IPV6_SOURCE_PREFIX
) -> tuple[Subject, Subject, Subject]:
    """What a login attempt counts against: (login, address, account) — the address as its source."""
    account = username if re.fullmatch(VALID_USERNAME, username) else NOT_AN_ACCOUNT
    address = source_of(address, ipv6_prefix)
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
    ipv6_prefix: int = IPV6_SOURCE_PREFIX  # the IPv6 network an address counts as (above)

    def __post_init__(self) -> None:
        limits = (self.max_failures, self.max_address_failures, self.max_account_failures)
        if min(limits) < 1:
            raise ValueError("each failure limit is at least 1")
        checked_ipv6_prefix(self.ipv6_prefix)
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
