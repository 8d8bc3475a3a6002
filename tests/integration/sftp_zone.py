"""The drop zone's SSH server on a loopback port, for tests that drive it with paramiko's client, OpenSSH
or raw sockets: an account with a key and a password, each test from its own loopback address."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest

from prorata.adapters import passwords
from prorata.application import dropzone
from prorata.application.logins import LoginGuard
from prorata.config.bootstrap import Components
from prorata.domain.dropzone.model import DropAccount
from prorata.domain.dropzone.throttle import LoginPolicy
from prorata.entrypoints.sftp.server import DropZoneConfig, DropZoneServer

PASSWORD = "correct horse battery staple"
POLICY = LoginPolicy(max_failures=3, max_address_failures=6, max_account_failures=9)


@dataclass
class Zone:
    port: int
    user: str  # logs in with `key` or PASSWORD
    key: paramiko.ECDSAKey
    address: str  # the loopback address this test's clients come from

    def connect(self, source: str | None = None) -> socket.socket:
        """A TCP connection to the server from this test's loopback address (or `source`)."""
        address = (source or self.address, 0)
        return socket.create_connection(("127.0.0.1", self.port), timeout=10, source_address=address)

    @contextlib.contextmanager
    def client(self) -> Iterator[paramiko.SFTPClient]:
        """An SFTP session logged in with the account's key, over IPv4 loopback."""
        transport = paramiko.Transport(("127.0.0.1", self.port))
        try:
            transport.connect(username=self.user, pkey=self.key)
            sftp = paramiko.SFTPClient.from_transport(transport)
            assert sftp is not None
            yield sftp
        finally:
            transport.close()

    def other(self, n: int) -> str:
        return f"{self.user[:20]}x{n}"

    def logs_in(
        self,
        user: str | None = None,
        *,
        password: str | None = None,
        key: paramiko.PKey | None = None,
        source: str | None = None,
    ) -> bool:
        """A whole login: authenticated, then an SFTP session that lists the account's folder."""
        sock = self.connect(source)
        transport = paramiko.Transport(sock)
        try:
            transport.start_client(timeout=10)
            if password is not None:
                transport.auth_password(user or self.user, password)
            else:
                transport.auth_publickey(user or self.user, key or self.key)
            sftp = paramiko.SFTPClient.from_transport(transport)
            assert sftp is not None
            sftp.listdir(".")
            return True
        except (paramiko.AuthenticationException, paramiko.SSHException):
            return False
        finally:
            transport.close()


def loopback() -> str:
    return f"127.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"


@pytest.fixture
def zone(
    components: Components, tenant: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Zone]:
    """The server on defaults, or with the limits (and `host`) a test gives:
    `parametrize("zone", [{…}], indirect=True)`."""
    user = f"e{secrets.token_hex(6)}"
    key = paramiko.ECDSAKey.generate(bits=256)
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow,
            components.ids,
            components.clock,
            tenant,
            user,
            passwords.hash_password(PASSWORD),
            f"{key.get_name()} {key.get_base64()}",
        )

    def find(username: str) -> DropAccount | None:
        with components.unit_of_work() as uow:
            return dropzone.find_account(uow, username)

    limits = dict(getattr(request, "param", {}))
    host = limits.pop("host", "127.0.0.1")
    config = DropZoneConfig(tmp_path / "dropzone", 1_000_000, find, components.clock.now, **limits)
    guard = LoginGuard(components.login_ledger, POLICY, components.clock)
    server = DropZoneServer(config, paramiko.ECDSAKey.generate(bits=256), guard)
    listening = threading.Event()
    port: list[int] = []

    def ready(bound: int) -> None:
        port.append(bound)
        listening.set()

    thread = threading.Thread(target=server.serve, args=(host, 0, ready), daemon=True)
    thread.start()
    assert listening.wait(10)
    try:
        yield Zone(port[0], user, key, loopback())
    finally:
        server.stop()
        thread.join(timeout=10)


def server_lines(caplog: pytest.LogCaptureFixture, part: str, at_least: int = 1) -> list[str]:
    """The drop zone's lines holding `part`, once it has said `at_least` of them (10 s at most)."""
    deadline = time.monotonic() + 10
    while len(said := said_by_the_server(caplog, part)) < at_least:
        assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
        time.sleep(0.05)
    return said


def said_by_the_server(caplog: pytest.LogCaptureFixture, part: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "prorata.entrypoints.sftp.server" and part in r.getMessage()
    ]
