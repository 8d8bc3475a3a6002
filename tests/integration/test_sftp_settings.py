"""What an operator sets for the drop zone reaches the server `prorata sftp` serves: its bounds on
connections not logged in and its bans count IPv6 clients by the network PRORATA_SFTP_IPV6_PREFIX says."""

from __future__ import annotations

from pathlib import Path

import pytest

from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from prorata.domain.dropzone.throttle import subjects_of
from prorata.entrypoints.cli.dropzone import drop_zone_server

# A client's address; another in its /64; another in its /56 but not its /64.
CLIENT, SAME_64, SAME_56 = "2001:db8:7:101::66", "2001:db8:7:101::67", "2001:db8:7:1ff::1"


@pytest.mark.parametrize(
    ("setting", "refused"),
    [(None, {SAME_64}), ("128", set()), ("56", {SAME_64, SAME_56}), ("64", {SAME_64})],
)
def test_the_ipv6_network_a_client_counts_as_is_the_operators(
    tmp_path: Path, setting: str | None, refused: set[str]
) -> None:
    variables = {"PRORATA_DATA_DIR": str(tmp_path), "PRORATA_SFTP_MAX_STARTUPS_PER_ADDRESS": "2"}
    if setting is not None:
        variables["PRORATA_SFTP_IPV6_PREFIX"] = setting
    parts = bootstrap(Settings.from_environment(variables))
    server = drop_zone_server(parts)
    try:
        # The client's two connections not logged in yet: its source's allowance. Its neighbours share
        # it where the setting counts them as the same source.
        assert server._startups.admit(CLIENT) is None
        assert server._startups.admit(CLIENT) is None
        said = {n for n in (SAME_64, SAME_56) if server._startups.admit(n) is not None}
        assert said == refused
        # The bans count the same source.
        _, address, _ = subjects_of("gesfincas", CLIENT, server.guard.policy.ipv6_prefix)
        assert address.name == (
            CLIENT
            if setting == "128"
            else f"2001:db8:7:{'100' if setting == '56' else '101'}::/{setting or 64}"
        )
    finally:
        parts.engine.dispose()
