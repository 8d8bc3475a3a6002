"""What an operator sets for the drop zone reaches the server `prorata sftp` serves: its bounds on
connections not logged in and its bans count IPv6 clients by the network PRORATA_SFTP_IPV6_PREFIX says."""

from __future__ import annotations

from pathlib import Path

import pytest

from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from prorata.entrypoints.cli.dropzone import drop_zone_server


@pytest.mark.parametrize(("setting", "counted"), [(None, 64), ("128", 128), ("56", 56)])
def test_the_ipv6_network_a_client_counts_as_is_the_operators(
    tmp_path: Path, setting: str | None, counted: int
) -> None:
    variables = {"PRORATA_DATA_DIR": str(tmp_path)}
    if setting is not None:
        variables["PRORATA_SFTP_IPV6_PREFIX"] = setting
    parts = bootstrap(Settings.from_environment(variables))
    server = drop_zone_server(parts)
    try:
        neighbours = ("2001:db8:7:1::66", "2001:db8:7:1::67")  # one /64, another /128
        assert server.config.ipv6_prefix == counted
        assert server.guard.policy.ipv6_prefix == counted
        # Past the bound for one source, the neighbour is refused only where both count as one source.
        for _ in range(parts.settings.sftp_max_startups_per_address):
            assert server._startups.admit(neighbours[0]) is None
        refused = server._startups.admit(neighbours[1])
        assert (refused is None) == (counted == 128)
    finally:
        parts.engine.dispose()
