"""Connections not yet logged in, bounded per source as OpenSSH's PerSourceMaxStartups bounds them: an IPv6
client's source is its /64 (it can open each connection from another of its addresses), an IPv4 client's
its address."""

from __future__ import annotations

import pytest

from prorata.entrypoints.sftp.startups import Startups


def test_connections_from_one_ipv6_slash_64_share_one_allowance() -> None:
    startups = Startups(total=100, per_address=3)
    assert all(startups.admit(f"2001:db8:7:1::{n + 1:x}") is None for n in range(3))
    refusal = startups.admit("2001:db8:7:1::99")
    assert refusal is not None
    assert "2001:db8:7:1::/64" in refusal.why
    assert startups.admit("2001:db8:7:2::1") is None  # another network
    startups.done("2001:db8:7:1::2")  # one of them logged in: the network may start one more
    assert startups.admit("2001:db8:7:1::abc") is None


def test_ipv4_addresses_count_one_each_however_they_are_written() -> None:
    startups = Startups(total=100, per_address=2)
    assert startups.admit("192.0.2.10") is None
    assert startups.admit("::ffff:192.0.2.10") is None
    assert startups.admit("192.0.2.10") is not None
    assert startups.admit("192.0.2.11") is None


def test_the_ipv6_network_a_source_counts_as_is_a_setting() -> None:
    """A host that gives each customer one address of a shared /64 (some VPS providers) makes each
    address a source of its own with /128; a /56 counts a subscriber's whole delegation as one."""
    each = Startups(total=100, per_address=1, ipv6_prefix=128)
    assert each.admit("2001:db8:7:1::1") is None
    assert each.admit("2001:db8:7:1::2") is None  # another customer in the same /64
    assert each.admit("2001:db8:7:1::1") is not None  # the same address again
    wide = Startups(total=100, per_address=1, ipv6_prefix=56)
    assert wide.admit("2001:db8:7:100::1") is None
    refusal = wide.admit("2001:db8:7:1ff::1")
    assert refusal is not None
    assert "2001:db8:7:100::/56" in refusal.why
    # IPv4 addresses count one each, however written, whatever the prefix.
    assert wide.admit("::ffff:192.0.2.10") is None
    assert wide.admit("192.0.2.10") is not None


@pytest.mark.parametrize("prefix", [-1, 0, 31, 129, 200])
def test_a_prefix_no_network_has_is_refused_at_once_not_at_the_first_ipv6_client(prefix: int) -> None:
    with pytest.raises(ValueError, match="32 to 128"):
        Startups(total=100, per_address=1, ipv6_prefix=prefix)
