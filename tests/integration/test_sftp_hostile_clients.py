"""Clients that speak SSH badly, before logging in: each costs the drop zone a bounded amount of memory and
time, and one line of its own — not paramiko's ERROR and traceback — and the server serves on."""

from __future__ import annotations

import logging
import socket
import struct
import time
from collections.abc import Callable

import paramiko
import pytest

from prorata.entrypoints.sftp import transport
from tests.integration.sftp_zone import Zone, loopback, said_by_the_server, server_lines

BANNER = b"SSH-2.0-hostile\r\n"


def _packet(payload: bytes) -> bytes:
    """An SSH binary packet before any key exchange: length, padding length, payload, padding (block 8)."""
    padding = 8 - (len(payload) + 5) % 8
    padding += 8 if padding < 4 else 0
    return struct.pack(">IB", len(payload) + padding + 1, padding) + payload + b"\0" * padding


def _cut_within(client: socket.socket, seconds: float, feed: Callable[[], bytes]) -> float:
    """Sends what `feed` gives until the server cuts the connection; how long that took. Fails if it took
    longer than `seconds` (the server was still taking everything sent)."""
    started = time.monotonic()
    client.settimeout(1)
    try:
        while time.monotonic() - started < seconds:
            client.sendall(feed())
    except OSError:  # reset, or a broken pipe: cut
        return time.monotonic() - started
    pytest.fail(f"still connected after {seconds} s of sending")


def _the_lines(caplog: pytest.LogCaptureFixture, zone: Zone) -> list[tuple[int, str]]:
    """Every line at INFO or above about the client (ours) or from paramiko, once ours is there."""
    server_lines(caplog, zone.address)
    return [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.levelno >= logging.INFO and (zone.address in r.getMessage() or r.name.startswith("paramiko"))
        and not r.getMessage().startswith("Connected (version 2.0")
    ]  # fmt: skip


@pytest.fixture
def client(zone: Zone, caplog: pytest.LogCaptureFixture) -> socket.socket:
    caplog.set_level(logging.INFO)
    return _connected(zone)


def _connected(zone: Zone) -> socket.socket:
    connected = zone.connect()
    connected.recv(256)  # the server's banner
    return connected


def test_a_packet_claiming_gigabytes_is_refused_before_any_of_it_is_kept(
    zone: Zone, client: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    """Found: a client that sent its banner, then a packet length of 4 GiB, had paramiko read (and keep,
    concatenating) everything it sent for the 15 s of the handshake: one connection took the process from
    205 to 525 MB; a few at once, gigabytes."""
    client.sendall(BANNER + struct.pack(">I", 0xFFFFFFF4) + b"\x04" + b"\0" * 11)
    _cut_within(client, 5, lambda: b"\0" * 65536)
    client.close()
    told = f"SFTP connection from {zone.address} sent a packet over 262144 bytes long; closed"
    assert _the_lines(caplog, zone) == [(logging.WARNING, told)]
    assert zone.logs_in()


def test_a_banner_line_that_never_ends_is_refused_past_what_a_banner_may_hold(
    zone: Zone, client: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    """Found: paramiko reads a banner line until its line feed, however long — its time limit counts from
    the last byte received, so a client trickling bytes was kept for ever, its line growing."""
    client.sendall(b"SSH-2.0-")
    _cut_within(client, 5, lambda: b"x" * 1024)
    client.close()
    told = f"SFTP connection from {zone.address} sent over 8192 bytes and no SSH banner line; closed"
    assert _the_lines(caplog, zone) == [(logging.INFO, told)]
    assert zone.logs_in()


def test_lines_before_the_banner_are_taken_only_within_the_banner_time(
    zone: Zone, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RFC 4253 lets a server send lines before its banner, and paramiko takes 100 of them from a client —
    each within 2 s of the one before: 200 s for one connection. The banner time bounds them all."""
    monkeypatch.setattr(transport, "BANNER_SECONDS", 1.0)
    caplog.set_level(logging.INFO)
    client = _connected(zone)

    def slowly() -> bytes:
        time.sleep(0.3)
        return b"hello\r\n"

    took = _cut_within(client, 5, slowly)
    client.close()
    assert took < 3
    told = f"SFTP connection from {zone.address} spoke no SSH (it sent 'hello'); closed"
    assert _the_lines(caplog, zone) == [(logging.INFO, told)]


@pytest.mark.parametrize(
    ("sent", "line"),
    [
        (b"\x00\x00\x00\x05" + b"\x01" * 12, "sent no SSH key exchange (Invalid packet blocking); closed"),
        (
            _packet(b"\x05" + struct.pack(">I", 12) + b"ssh-userauth"),
            "sent message 5 before its key exchange; closed",
        ),
    ],
    ids=["malformed-packet", "out-of-order-message"],
)
def test_a_client_that_garbles_its_key_exchange_is_one_line(
    zone: Zone, client: socket.socket, caplog: pytest.LogCaptureFixture, sent: bytes, line: str
) -> None:
    """Found: a valid banner, then bytes no SSH client sends, was paramiko's ERROR and traceback."""
    client.sendall(BANNER + sent)
    time.sleep(0.5)
    client.close()
    assert _the_lines(caplog, zone) == [(logging.INFO, f"SFTP connection from {zone.address} {line}")]
    assert zone.logs_in()


def test_a_client_that_resets_during_its_key_exchange_is_one_line(
    zone: Zone, client: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    """paramiko logged it as an ERROR ("Socket exception: Connection reset by peer (104)")."""
    client.sendall(BANNER + b"\x00\x00")  # half a packet's length: the server is reading the rest
    time.sleep(0.3)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    told = f"SFTP connection from {zone.address} reset the connection during its key exchange"
    assert _the_lines(caplog, zone) == [(logging.INFO, told)]


def test_a_client_reset_after_logging_in_ends_its_session_in_one_line(
    zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sock = zone.connect()
    client = paramiko.Transport(sock)
    client.start_client(timeout=10)
    client.auth_publickey(zone.user, zone.key)
    sftp = paramiko.SFTPClient.from_transport(client)
    assert sftp is not None
    sftp.listdir(".")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # a RST, as a cut line or a killed client leaves it
    client.close()
    said = [(lvl, m) for lvl, m in _the_lines(caplog, zone) if "ended" in m or lvl >= logging.WARNING]
    told = f"SFTP session from {zone.address} ended: the client reset the connection"
    assert said == [(logging.INFO, told)]


@pytest.mark.parametrize("zone", [{"login_seconds": 1.0}], indirect=True)
def test_a_client_that_never_logs_in_is_closed_after_the_login_time(
    zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    """Found: once its key exchange was done, a client that never authenticated kept its connection, and
    its two threads, for ever (paramiko's auth_timeout is its client's)."""
    caplog.set_level(logging.INFO)
    sock = zone.connect()
    client = paramiko.Transport(sock)
    client.start_client(timeout=10)
    deadline = time.monotonic() + 5
    while client.is_active():
        assert time.monotonic() < deadline, "still connected, never having logged in"
        time.sleep(0.1)
    told = f"SFTP session from {zone.address} ended: it did not log in within 1 s"
    assert [m for lvl, m in _the_lines(caplog, zone) if "ended" in m or lvl >= logging.WARNING] == [told]


@pytest.mark.parametrize("zone", [{"max_startups": 5, "max_startups_per_address": 2}], indirect=True)
def test_connections_not_yet_logged_in_are_bounded_from_one_address_and_in_all(
    zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    """Found: every connection got a thread of its own (two, past its banner) and nothing bounded how many:
    one client opening connections that never logged in took the server's threads without end — 2,000
    connections were 4,000 threads — until it could start no thread at all. As OpenSSH's MaxStartups and
    PerSourceMaxStartups: the connections over a limit are closed at once; those logged in do not count."""
    caplog.set_level(logging.INFO)
    others = [loopback() for _ in range(3)]

    def served(connection: socket.socket) -> bool:
        return connection.recv(256).startswith(b"SSH-2.0-")

    held = [zone.connect(zone.address) for _ in range(2)]
    assert all(served(c) for c in held)
    with zone.connect(zone.address) as third:
        assert third.recv(256) == b""  # closed at once: two from this address wait to log in
    held += [zone.connect(address) for address in others]
    assert all(served(c) for c in held[2:])  # five in all now
    stranger = loopback()
    with zone.connect(stranger) as sixth:
        assert sixth.recv(256) == b""
    refused = [m for m in said_by_the_server(caplog, "refused") if "not logged in" in m]
    assert refused == [
        f"SFTP connection from {zone.address} refused: 2 connections from it not logged in yet",
        f"SFTP connection from {stranger} refused: 5 connections not logged in yet",
    ]
    for connection in held:
        connection.close()
    deadline = time.monotonic() + 10
    while not zone.logs_in():  # the slots come back as their connections end
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.mark.parametrize("zone", [{"login_seconds": 1.0}], indirect=True)
def test_a_client_silent_after_its_key_exchange_init_is_closed_after_the_login_time(
    zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by review: paramiko stops its handshake timer once it has the client's KEXINIT, so a client
    silent after one held its connection, threads and startup slot for ever: 100 such connections refused
    every real client."""
    caplog.set_level(logging.INFO)
    client = zone.connect()
    client.sendall(BANNER)
    received = b""
    while b"\r\n" not in received or len(received) < received.index(b"\r\n") + 6:
        received += client.recv(4096)
    packet = received[received.index(b"\r\n") + 2 :]
    length = struct.unpack(">I", packet[:4])[0]
    while len(packet) < length + 4:
        packet += client.recv(4096)
    client.sendall(packet[: length + 4])  # the server's own KEXINIT, a valid one; then nothing
    client.settimeout(5)
    assert client.recv(4096) == b"" or client.recv(4096) == b""  # closed by the server within 5 s
    told = f"SFTP connection from {zone.address} closed: it did not log in within 1 s"
    assert [m for lvl, m in _the_lines(caplog, zone) if "closed" in m or lvl >= logging.WARNING] == [told]


@pytest.mark.parametrize("zone", [{"host": "::1"}, {"host": "::"}], indirect=True, ids=["::1", "::"])
def test_the_drop_zone_serves_ipv6_clients(zone: Zone) -> None:
    """`prorata sftp --host ::1`, or `::` (IPv6 and IPv4 at once): an IPv6 client logs in and lists."""
    transport = paramiko.Transport(socket.create_connection(("::1", zone.port), timeout=10))
    try:
        transport.connect(username=zone.user, pkey=zone.key)
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        assert sftp.listdir(".") == []
    finally:
        transport.close()
