"""Bans by evidence: which failures count against whom, and what a success clears. On a hand-written
ledger (the port's fake); the SQL one is tested on both databases in tests/integration."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from prorata.application.logins import LoginGuard
from prorata.domain.dropzone.throttle import LoginPolicy, Scope, Subject, subjects_of
from prorata.domain.ports.login_ledger import LoginLedger

POLICY = LoginPolicy(max_failures=3, max_address_failures=6, max_account_failures=10)
HOME, OFFICE = "192.0.2.10", "198.51.100.7"


@dataclass
class FakeLedger(LoginLedger):
    failures: list[tuple[Subject, datetime]] = field(default_factory=list)
    bans: dict[Subject, datetime] = field(default_factory=dict)

    def banned(self, subjects: Sequence[Subject], now: datetime) -> Subject | None:
        return next((s for s in subjects if self.bans.get(s, now) > now), None)

    def record_failure(self, subjects: Sequence[Subject], at: datetime) -> None:
        self.failures += [(s, at) for s in subjects]

    def failures_since(self, subjects: Sequence[Subject], since: datetime) -> Mapping[Subject, int]:
        return {s: sum(1 for f, at in self.failures if f == s and at > since) for s in subjects}

    def ban(self, subjects: Sequence[Subject], until: datetime) -> None:
        for subject in subjects:
            self.bans[subject] = max(until, self.bans.get(subject, until))

    def forget(self, subject: Subject) -> None:
        self.failures = [(s, at) for s, at in self.failures if s != subject]


@dataclass
class Clock:
    at: datetime = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def guard() -> tuple[LoginGuard, Clock]:
    clock = Clock()
    return LoginGuard(FakeLedger(), POLICY, clock), clock


def test_failures_of_one_user_from_one_address_ban_that_pair_only() -> None:
    logins, _ = guard()
    for _ in range(3):
        logins.failed("vecino", HOME)
    assert logins.refused("vecino", HOME)
    assert not logins.refused("vecino", OFFICE)
    assert not logins.refused("gesfincas", HOME)


def test_a_success_clears_its_own_pair_and_no_other_count() -> None:
    logins, _ = guard()
    for _ in range(2):
        logins.failed("vecino", HOME)
        logins.failed("otro", HOME)
    logins.succeeded("vecino", HOME)
    logins.failed("vecino", HOME)
    assert not logins.refused("vecino", HOME)
    logins.failed("otro", HOME)
    assert logins.refused("otro", HOME)


def test_failures_spread_over_user_names_ban_the_address_whatever_succeeds_between() -> None:
    logins, _ = guard()
    for n in range(6):
        logins.failed(f"user{n}", HOME)
        logins.succeeded("gesfincas", HOME)
    assert logins.refused("gesfincas", HOME)
    assert not logins.refused("gesfincas", OFFICE)


def test_an_account_is_locked_everywhere_only_past_the_much_higher_threshold() -> None:
    logins, _ = guard()
    addresses = [f"203.0.113.{n}" for n in range(10)]
    for address in addresses[:9]:
        logins.failed("vecino", address)
    assert not logins.refused("vecino", OFFICE)
    logins.failed("vecino", addresses[9])
    assert logins.refused("vecino", OFFICE)


def test_failures_older_than_the_window_do_not_count_and_a_ban_ends() -> None:
    logins, clock = guard()
    logins.failed("vecino", HOME)
    logins.failed("vecino", HOME)
    clock.at += POLICY.window + timedelta(seconds=1)
    logins.failed("vecino", HOME)
    assert not logins.refused("vecino", HOME)
    logins.failed("vecino", HOME)
    logins.failed("vecino", HOME)
    assert logins.refused("vecino", HOME)
    clock.at += POLICY.ban + timedelta(seconds=1)
    assert not logins.refused("vecino", HOME)


def test_each_scope_names_its_subject() -> None:
    login, address, account = subjects_of("vecino", HOME)
    assert (login.scope, address.scope, account.scope) == (Scope.LOGIN, Scope.ADDRESS, Scope.ACCOUNT)
    assert (address.name, account.name) == (HOME, "vecino")


def test_a_user_name_that_cannot_be_an_account_is_one_subject_whatever_its_length() -> None:
    login, _, account = subjects_of("x" * 5000, HOME)
    assert len(login.name) <= 100
    assert account.name == subjects_of("Robert'); DROP TABLE", HOME)[2].name


def test_an_ipv6_client_is_its_slash_64_an_address_of_it_is_no_fresh_start() -> None:
    """A site or subscriber is given a /64: 2^64 addresses to try from. Each counts as the one network."""
    logins, _ = guard()
    for n in range(6):
        logins.failed(f"user{n}", f"2001:db8:7:1::{n + 1:x}")
    assert logins.refused("gesfincas", "2001:db8:7:1:ffff:ffff:ffff:ffff")
    assert not logins.refused("gesfincas", "2001:db8:7:2::1")  # the next /64: someone else
    assert not logins.refused("gesfincas", HOME)


def test_an_ipv4_client_seen_on_an_ipv6_socket_is_its_ipv4_address() -> None:
    logins, _ = guard()
    for n in range(6):
        logins.failed(f"user{n}", f"::ffff:{HOME}")
    assert logins.refused("gesfincas", HOME)
    assert not logins.refused("gesfincas", "::ffff:192.0.2.11")  # IPv4 addresses stay one each


def test_subjects_name_the_network_they_count() -> None:
    _, address, _ = subjects_of("gesfincas", "2001:DB8:7:1:0:0:0:9")
    assert address.name == "2001:db8:7:1::/64"
    _, address, _ = subjects_of("gesfincas", "not an address")  # kept as given, bounded
    assert address.name == "not an address"


@pytest.mark.parametrize(
    ("prefix", "counted"),
    [
        (128, "2001:db8:7:1::9"),
        (64, "2001:db8:7:1::/64"),
        (56, "2001:db8:7:100::/56"),
        (48, "2001:db8:7::/48"),
    ],
)
def test_the_ipv6_network_counted_is_the_policy_s(prefix: int, counted: str) -> None:
    _, address, _ = subjects_of(
        "gesfincas", "2001:DB8:7:1a1:0:0:0:9" if prefix < 64 else "2001:db8:7:1::9", prefix
    )
    assert address.name == counted


def test_with_each_ipv6_address_its_own_source_a_neighbour_in_the_slash_64_is_not_banned() -> None:
    policy = dataclasses.replace(POLICY, ipv6_prefix=128)
    logins = LoginGuard(FakeLedger(), policy, Clock())
    for n in range(6):
        logins.failed(f"user{n}", "2001:db8:7:1::66")
    assert logins.refused("gesfincas", "2001:db8:7:1::66")
    assert not logins.refused("gesfincas", "2001:db8:7:1::67")  # another customer of the same host


@pytest.mark.parametrize("prefix", [0, 31, 129, -1])
def test_an_ipv6_prefix_outside_32_to_128_is_refused(prefix: int) -> None:
    with pytest.raises(ValueError, match="32 to 128"):
        LoginPolicy(ipv6_prefix=prefix)
