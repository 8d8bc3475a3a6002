"""Bans by evidence, as OpenSSH's `sftp` meets them: a declined key offer is no failure, a wrong password
is; a ban holds one user name from one address (not the address's other users), survives a restart and
holds on every `prorata sftp` process sharing the database. The zone bans after 3 failures."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from tests.e2e import test_sftp_drop_zone as base
from tests.e2e.conftest import free_port
from tests.e2e.test_sftp_drop_zone import PASSWORD, DropZone

pytestmark = base.pytestmark
seeded = base.seeded
zone = base.zone


def _key(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30)
    return path


def _logs_in(
    zone: DropZone,
    *,
    key: Path | None = None,
    password: str | None = None,
    user: str = "gesfincas",
    extra: tuple[str, ...] = (),
) -> bool:
    return zone.sftp("ls\n", key=key, password=password, user=user, extra=extra).returncode == 0


@contextmanager
def _another_server(zone: DropZone) -> Iterator[DropZone]:
    """A second `prorata sftp` on the same data and database, as a second host would run."""
    port = free_port()
    server = base._start(zone.env, "sftp", "--port", str(port))
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.monotonic() < deadline, "the second prorata sftp did not listen"
            time.sleep(0.1)
        yield replace(zone, port=port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_client_offering_unrelated_keys_before_the_right_one_logs_in_and_is_not_banned(
    zone: DropZone, tmp_path: Path
) -> None:
    """OpenSSH offers each of its keys in turn; the server declining an offer learns nothing bad."""
    strangers = [_key(tmp_path / f"stranger{n}") for n in range(5)]
    offered: list[str] = []
    for stranger in strangers[1:]:
        offered += ["-i", str(stranger)]
    for _ in range(3):
        assert _logs_in(zone, key=strangers[0], extra=(*offered, "-i", str(zone.key)))
    assert _logs_in(zone)


def test_wrong_passwords_ban_that_user_from_that_address_and_not_its_other_users(zone: DropZone) -> None:
    for _ in range(3):
        assert not _logs_in(zone, user="vecino", password="wrong")
    assert not _logs_in(zone, user="vecino", password=PASSWORD), "a banned login got in"
    assert _logs_in(zone), "another user of the same address was banned too"


def test_a_success_does_not_clear_another_users_failures(zone: DropZone) -> None:
    for _ in range(2):
        assert not _logs_in(zone, user="vecino", password="wrong")
    assert _logs_in(zone)  # gesfincas, from the same address
    assert not _logs_in(zone, user="vecino", password="wrong")
    assert not _logs_in(zone, user="vecino", password=PASSWORD)


def test_a_ban_holds_on_every_server_process_and_after_a_restart(zone: DropZone) -> None:
    for _ in range(3):
        assert not _logs_in(zone, user="vecino", password="wrong")
    with _another_server(zone) as second:
        assert _logs_in(second)  # the second server serves
        assert not _logs_in(second, user="vecino", password=PASSWORD), "the ban did not reach it"
    with _another_server(zone) as restarted:
        assert not _logs_in(restarted, user="vecino", password=PASSWORD), "a restart lifted the ban"
