"""What counts against a login, driven with paramiko's client against the drop zone's SSH server, its
bans in the database (SQLite and PostgreSQL). Each test uses its own user names and loopback address."""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path
from typing import Any

import paramiko
import pytest

from prorata.entrypoints.sftp import transport as sftp_server
from tests.integration.sftp_zone import PASSWORD, Zone, loopback, said_by_the_server, server_lines


def _signing_the_wrong_bytes(key: paramiko.ECDSAKey) -> paramiko.PKey:
    """The account's own key, with signatures that do not verify (made over other bytes)."""
    text = io.StringIO()
    key.write_private_key(text)
    forged = paramiko.ECDSAKey.from_private_key(io.StringIO(text.getvalue()))
    real = forged.sign_ssh_data

    def sign(data: bytes, algorithm: str | None = None) -> Any:
        return real(b"not the session" + data, algorithm)

    forged.sign_ssh_data = sign
    return forged


def test_the_right_key_with_a_signature_that_fails_counts_as_a_failed_login(zone: Zone) -> None:
    forged = _signing_the_wrong_bytes(zone.key)
    for _ in range(3):
        assert not zone.logs_in(key=forged)
    assert not zone.logs_in(), "three failed signatures did not ban the login"
    assert not zone.logs_in(password=PASSWORD)


def test_failures_over_many_user_names_ban_the_address_whatever_succeeds_in_between(zone: Zone) -> None:
    for n in range(6):  # 2 per name: no login reaches its own limit of 3
        assert not zone.logs_in(zone.other(n % 3), password="guess")
        assert zone.logs_in() or n == 5
    assert not zone.logs_in(), "the address was not banned"
    assert zone.logs_in(source=loopback()), "the account was banned from everywhere"


def test_a_refused_login_is_said_with_what_is_banned(zone: Zone, caplog: pytest.LogCaptureFixture) -> None:
    """An operator asked why a user cannot log in reads which ban holds: the login, the address (as the
    source it counts as) or the account."""
    caplog.set_level(logging.WARNING)
    for n in range(6):  # 2 per name: the address's limit (6), no login's
        zone.logs_in(zone.other(n % 3), password="guess")
    assert not zone.logs_in()
    refused = server_lines(caplog, f"refused {zone.user} from {zone.address}")
    assert refused == [
        f"refused {zone.user} from {zone.address}: address {zone.address} banned after repeated failed logins"
    ]
    forged = _signing_the_wrong_bytes(zone.key)
    other = loopback()
    for _ in range(3):
        zone.logs_in(key=forged, source=other)
    assert not zone.logs_in(source=other)
    assert server_lines(caplog, f"refused {zone.user} from {other}") == [
        f"refused {zone.user} from {other}: login {zone.user}@{other} banned after repeated failed logins"
    ]


def test_an_account_is_locked_from_every_address_only_past_its_own_much_higher_limit(zone: Zone) -> None:
    for n in range(8):  # 2 from each of 4 addresses: no address nor login reaches its limit
        assert not zone.logs_in(password="guess", source=f"{zone.address.rsplit('.', 1)[0]}.{n // 2 + 1}")
    assert zone.logs_in(source=loopback())
    assert not zone.logs_in(password="guess", source=loopback())
    assert not zone.logs_in(source=loopback()), "9 failures from everywhere did not lock the account"


def test_an_unknown_user_costs_the_same_password_hashing_as_a_known_one(
    zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[dict[str, Any]] = []
    real = hashlib.scrypt

    def counted(password: bytes, **parameters: Any) -> bytes:
        hashed.append({k: v for k, v in parameters.items() if k != "salt"})
        return real(password, **parameters)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    assert not zone.logs_in(password="guess")
    known = list(hashed)
    hashed.clear()
    assert not zone.logs_in(zone.other(1), password="guess")
    assert hashed == known != []


def _probe_closes(probe: socket.socket) -> None:
    probe.recv(256)


def _probe_resets(probe: socket.socket) -> None:
    # SO_LINGER 0: the close sends a RST, as many load balancers' TCP checks do.
    probe.recv(256)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _probe_resets_at_once(probe: socket.socket) -> None:
    # An HAProxy-style check: connected, then a RST before the server's banner is even read.
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _probe_speaks_ssh_1(probe: socket.socket) -> None:
    # `nmap -sC`'s sshv1 script.
    probe.recv(256)
    probe.sendall(b"SSH-1.5-NmapNSE_1.0\r\n")
    time.sleep(0.2)


def _probe_speaks_http(probe: socket.socket) -> None:
    probe.recv(256)
    probe.sendall(b"GET /health HTTP/1.1\r\nHost: sftp\r\n\r\n")


def _probe_says_nothing(probe: socket.socket) -> None:
    probe.recv(256)
    time.sleep(1.5)  # past the banner time the test sets (0.5 s)


@pytest.mark.parametrize(
    ("probe_does", "line"),
    [
        (_probe_closes, "closed before SSH began (a port probe?)"),
        (_probe_resets, "closed before SSH began (a port probe?)"),
        (_probe_resets_at_once, "closed before SSH began (a port probe?)"),
        (_probe_speaks_ssh_1, "spoke 'SSH-1.5-NmapNSE_1.0', not SSH 2.0; closed"),
        (_probe_speaks_http, "spoke no SSH (it sent 'GET /health HTTP/1.1') and closed"),
        (_probe_says_nothing, "sent no SSH banner within 0.5 s; closed"),
    ],
    ids=["closes", "resets", "resets-at-once", "speaks-ssh-1", "speaks-http", "says-nothing"],
)
def test_a_port_probe_is_one_quiet_line_not_a_logged_failure(
    zone: Zone,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    probe_does: Any,
    line: str,
) -> None:
    # A load balancer's TCP check or `prorata ready --sftp-port` connects, reads the banner and goes:
    # paramiko logged that as ~21 ERROR lines (a traceback) every probe, however the probe went.
    monkeypatch.setattr(sftp_server, "BANNER_SECONDS", 0.5)
    caplog.set_level(logging.DEBUG)
    with socket.create_connection(
        ("127.0.0.1", zone.port), timeout=10, source_address=(zone.address, 0)
    ) as probe:
        probe_does(probe)
    deadline = time.monotonic() + 10
    while not any(
        zone.address in r.getMessage() for r in caplog.records if r.name == "prorata.entrypoints.sftp.server"
    ):
        assert time.monotonic() < deadline, "the server never saw the probe's connection end"
        time.sleep(0.05)
    said = [r for r in caplog.records if zone.address in r.getMessage() or r.name.startswith("paramiko")]
    assert [r.getMessage() for r in said if r.levelno >= logging.WARNING] == []
    assert [r.getMessage() for r in said if r.levelno >= logging.INFO] == [
        f"SFTP connection from {zone.address} {line}"
    ]
    assert zone.logs_in(), "the server serves on after a probe"


def test_a_client_gone_after_its_banner_is_said_to_have_closed_the_session(
    zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with socket.create_connection(
        ("127.0.0.1", zone.port), timeout=10, source_address=(zone.address, 0)
    ) as client:
        client.recv(256)
        client.sendall(b"SSH-2.0-probe\r\n")
        # Closed cleanly: what the server sent meanwhile (its KEXINIT) read first, else closing with it
        # unread sends a reset, which the server rightly logs as one.
        client.shutdown(socket.SHUT_WR)
        while client.recv(4096):
            pass
    ours = server_lines(caplog, "")
    assert ours == [f"SFTP session from {zone.address} ended: the client closed it"]


def test_ssh_keyscan_gets_the_host_key_and_its_other_asks_are_one_quiet_line_each(
    zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    # An administrator fetching the key for known_hosts: ssh-keyscan asks for each key type on a
    # connection of its own; paramiko logged those this server has no key of as ~20 ERROR lines each.
    keyscan = shutil.which("ssh-keyscan")
    assert keyscan, "OpenSSH's ssh-keyscan is needed (make test installs openssh-client)"
    caplog.set_level(logging.INFO)
    done = subprocess.run(
        [keyscan, "-T", "10", "-t", "rsa,ecdsa,ed25519", "-p", str(zone.port), "127.0.0.1"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert f"[127.0.0.1]:{zone.port} ecdsa-sha2-nistp256 " in done.stdout
    server_lines(caplog, "shares no algorithm", at_least=2)
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == []
    told = (
        "SFTP connection from 127.0.0.1 shares no algorithm with this server (no acceptable host key); closed"
    )
    assert said_by_the_server(caplog, "shares no algorithm") == [told] * 2


def test_a_client_that_stalls_in_the_key_exchange_is_said_to_have_done_so(
    zone: Zone, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sftp_server, "HANDSHAKE_SECONDS", 1.0)
    caplog.set_level(logging.INFO)
    with socket.create_connection(
        ("127.0.0.1", zone.port), timeout=10, source_address=(zone.address, 0)
    ) as client:
        client.recv(256)
        client.sendall(b"SSH-2.0-stalling\r\n")
        ours = server_lines(caplog, "")
    assert ours == [f"SFTP session from {zone.address} ended: its key exchange did not finish within 1 s"]


@pytest.mark.parametrize(
    ("option", "level", "reason"),
    [
        ("Ciphers=chacha20-poly1305@openssh.com", logging.WARNING, "no acceptable ciphers"),
        ("MACs=umac-128-etm@openssh.com", logging.WARNING, "no acceptable macs"),
        ("HostKeyAlgorithms=ssh-ed25519", logging.INFO, "no acceptable host key"),
    ],
    ids=["cipher", "mac", "host-key"],
)
def test_a_client_sharing_no_algorithm_is_one_line_a_warning_unless_it_only_asked_for_a_key(
    zone: Zone, tmp_path: Path, caplog: pytest.LogCaptureFixture, option: str, level: int, reason: str
) -> None:
    # A partner's client set to what this server does not speak must be seen at WARNING; ssh-keyscan
    # asking for a key type it has none of is routine (INFO).
    caplog.set_level(logging.INFO)
    done = subprocess.run(
        ["sftp", "-P", str(zone.port), "-o", f"BindAddress={zone.address}", "-o", "BatchMode=yes",
         "-o", f"UserKnownHostsFile={tmp_path / 'known_hosts'}", "-o", "StrictHostKeyChecking=no",
         "-o", option, "-b", "-", f"{zone.user}@127.0.0.1"],
        input="ls\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    ours = server_lines(caplog, zone.address)
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    told = f"SFTP connection from {zone.address} shares no algorithm with this server ({reason}); closed"
    assert [(lvl, m) for lvl, m in said if lvl >= logging.WARNING or m in ours] == [(level, told)]
