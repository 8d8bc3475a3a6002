"""The SSH side of the drop zone: host key, authentication with bans by evidence, one thread per client."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import paramiko

from prorata.adapters.passwords import check_password
from prorata.application.logins import LoginGuard
from prorata.domain.dropzone.model import DropAccount
from prorata.entrypoints.sftp import unfinished
from prorata.entrypoints.sftp.filesystem import DropSftpServer, JailedFilesystem
from prorata.entrypoints.sftp.startups import Startups
from prorata.entrypoints.sftp.transport import DropTransport, NoSsh, ended

log = logging.getLogger(__name__)
# Sessions cut at a stop get this long to discard what they had open before the process goes on exiting.
CUT_SECONDS = 5.0


def load_host_key(path: Path) -> paramiko.PKey:
    """The server's host key, generated on first start and kept, so clients can pin it."""
    if path.exists():
        return paramiko.ECDSAKey.from_private_key_file(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = paramiko.ECDSAKey.generate(bits=256)
    key.write_private_key_file(str(path))
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class DropZoneConfig:
    root: Path
    max_upload_bytes: int
    find_account: Callable[[str], DropAccount | None]
    now: Callable[[], datetime]
    # Connections not yet logged in, at once (OpenSSH's MaxStartups, PerSourceMaxStartups), and how long
    # one may take to log in (LoginGraceTime).
    max_startups: int = 100
    max_startups_per_address: int = 20
    login_seconds: float = 120.0


@dataclass(frozen=True)
class _Attempt:
    """A credential the server vouched for, or refused, in the request being answered."""

    username: str
    account: DropAccount | None  # None: refused


class DropSshServer(paramiko.ServerInterface):
    """One client connection: authenticates against the drop-zone accounts, offers only SFTP.

    Only evidence counts against a login (see domain/dropzone/throttle.py). paramiko asks
    `check_auth_publickey` both for a key the client merely offers and, signed, for the key it
    authenticates with; either way we only say whether the key is one of the account's. How the request
    ended is told by what paramiko calls next: `get_allowed_auths` after every request that failed (so
    after a vouched-for key whose signature did not verify), a channel request only once authenticated.
    An offer we declined, or a key vouched for and answered with "PK_OK", is therefore never counted."""

    def __init__(
        self,
        config: DropZoneConfig,
        guard: LoginGuard,
        address: str,
        authenticated: Callable[[], bool] = lambda: False,
    ) -> None:
        self.config = config
        self.guard = guard
        self.address = address
        self.authenticated = authenticated
        self.account: DropAccount | None = None
        self._attempt: _Attempt | None = None

    @property
    def account_folder(self) -> Path:
        assert self.account is not None
        folder = self.config.root / self.account.username
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def max_upload_bytes(self) -> int:
        return self.config.max_upload_bytes

    def get_allowed_auths(self, username: str) -> str:
        # paramiko calls this to answer a request that failed: a credential checked and refused, or a
        # key we vouched for whose signature failed, is a failed authentication.
        attempt, self._attempt = self._attempt, None
        if attempt is not None:
            log.info("SFTP login of %s from %s failed", username, self.address)
            self.guard.failed(attempt.username, self.address)
        return "publickey,password"

    def check_auth_none(self, username: str) -> int:
        self._attempt = None
        return paramiko.AUTH_FAILED

    def check_auth_interactive(self, username: str, submethods: str) -> int:
        self._attempt = None
        return paramiko.AUTH_FAILED

    def check_auth_password(self, username: str, password: str | bytes) -> int:
        self._attempt = None
        if self._banned(username):
            return paramiko.AUTH_FAILED
        account = self.config.find_account(username)
        text = password if isinstance(password, str) else password.decode("latin-1")
        # Hashed even for an unknown user or one without a password: the same time either way.
        accepted = check_password(text, account.password_hash if account else None)
        self._attempt = _Attempt(username, account if accepted else None)
        return paramiko.AUTH_SUCCESSFUL if accepted else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        self._attempt = None
        if self._banned(username):
            return paramiko.AUTH_FAILED
        account = self.config.find_account(username)
        offered = f"{key.get_name()} {key.get_base64()}"
        if account is None or not any(" ".join(k.split()[:2]) == offered for k in account.public_keys):
            return paramiko.AUTH_FAILED  # declined: a client offers each of its keys, no evidence
        self._attempt = _Attempt(username, account)  # paramiko now verifies the signature, if any
        return paramiko.AUTH_SUCCESSFUL

    def _banned(self, username: str) -> bool:
        ban = self.guard.refused(username, self.address)
        if ban is not None:
            log.warning(
                "refused %s from %s: %s %s banned after repeated failed logins",
                username,
                self.address,
                ban.scope,
                ban.name,
            )
            return True
        return False

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if self.account is None:  # the first channel: the request that authenticated was the last one
            attempt, self._attempt = self._attempt, None
            if attempt is None or attempt.account is None or not self.authenticated():
                return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
            self.account = attempt.account
            self.guard.succeeded(attempt.username, self.address)
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel: Any, command: bytes) -> bool:
        return False

    def check_channel_shell_request(self, channel: Any) -> bool:
        return False

    def check_channel_pty_request(self, *args: Any) -> bool:
        return False


class DropZoneServer:
    """Listens on host:port and serves each client in a thread of its own."""

    def __init__(self, config: DropZoneConfig, host_key: paramiko.PKey, guard: LoginGuard) -> None:
        self.config = config
        self.host_key = host_key
        self.guard = guard
        self.stopping = threading.Event()  # no new session
        self.cutting = threading.Event()  # sessions end now
        self._sessions: set[threading.Thread] = set()
        self._lock = threading.Lock()
        # A client's source counts as the guard's bans count it: one IPv6 network, whatever its address.
        prefix = guard.policy.ipv6_prefix
        self._startups = Startups(config.max_startups, config.max_startups_per_address, prefix)

    def listen(self, host: str, port: int) -> socket.socket:
        """Binds host:port now — OSError, or OverflowError for no port at all, if it cannot be had — then
        removes the temporary files of uploads a stopped process left (sftp/unfinished.py)."""
        if ":" in host:  # IPv6; `::` takes IPv4 clients too, where the system can
            dual = host == "::" and socket.has_dualstack_ipv6()
            listener = socket.create_server((host, port), family=socket.AF_INET6, dualstack_ipv6=dual)
        else:
            listener = socket.create_server((host, port), reuse_port=False)
        unfinished.discard_unfinished(self.config.root)
        return listener

    def serve(self, host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
        self.serve_on(self.listen(host, port), ready)

    def serve_on(self, listener: socket.socket, ready: Callable[[int], None] | None = None) -> None:
        with listener:
            listener.settimeout(0.5)
            if ready:
                ready(listener.getsockname()[1])
            while not self.stopping.is_set():
                try:
                    client, address = listener.accept()
                except TimeoutError:
                    continue
                self._start(client, address[0])

    def _start(self, client: socket.socket, address: str) -> None:
        refusal = self._startups.admit(address)
        if refusal is not None:
            if refusal.first:
                log.warning("SFTP connection from %s refused: %s", address, refusal.why)
            client.close()
            return
        session = threading.Thread(target=self._session, args=(client, address), daemon=True)
        with self._lock:
            self._sessions.add(session)
        try:
            session.start()
        except RuntimeError as error:  # no thread to be had: this client waits for another time
            self._startups.done(address)
            client.close()
            log.warning("SFTP connection from %s refused: %s", address, error)

    def stop(self, drain_seconds: float = 0.0) -> None:
        """Take no new session; let those in progress end for up to `drain_seconds`, then cut them (an
        upload cut short is discarded, never landed). Returns once the sessions cut have discarded what
        they had open (the process may exit then), or after CUT_SECONDS at most."""
        self.stopping.set()
        deadline = time.monotonic() + drain_seconds
        while self._active() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.cutting.set()
        deadline = time.monotonic() + CUT_SECONDS
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.join(max(deadline - time.monotonic(), 0))

    def _active(self) -> bool:
        with self._lock:
            self._sessions = {session for session in self._sessions if session.is_alive()}
            return bool(self._sessions)

    def _session(self, client: socket.socket, address: str) -> None:
        try:
            transport = DropTransport(client)
        except Exception:  # a socket paramiko cannot take (gone already): its slot back, nothing to say
            self._startups.done(address)
            client.close()
            raise
        server = DropSshServer(self.config, self.guard, address, transport.is_authenticated)
        login_by = time.monotonic() + self.config.login_seconds
        waiting = True  # counted among the connections not logged in yet
        try:
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", DropSftpServer, JailedFilesystem)
            # Not start_server's own wait: paramiko stops its handshake timer once it has the client's
            # KEXINIT, so a client silent after it would hold this session (and its slot) for ever. The
            # login time bounds the key exchange too.
            transport.start_server(event=threading.Event(), server=server)
            while transport.is_active() and not self.cutting.is_set():
                if waiting and transport.is_authenticated():
                    waiting = False
                    self._startups.done(address)
                elif waiting and time.monotonic() >= login_by:
                    said = f"it did not log in within {self.config.login_seconds:g} s"
                    if transport.initial_kex_done:
                        log.info("SFTP session from %s ended: %s", address, said)
                    else:
                        log.info("SFTP connection from %s closed: %s", address, said)
                    return
                transport.join(min(1.0, max(login_by - time.monotonic(), 0.05)) if waiting else 1.0)
            gone = transport.get_exception()
            if not transport.initial_kex_done and not transport.is_active():  # as start_server raises
                raise gone or paramiko.SSHException("Negotiation failed.")
            if isinstance(gone, NoSsh):  # after the key exchange: a reset, a packet too long
                log.log(gone.level, "SFTP session from %s ended: the client %s", address, gone.how)
        except NoSsh as no_ssh:
            log.log(no_ssh.level, "SFTP connection from %s %s", address, no_ssh.how)
        except (paramiko.SSHException, EOFError, OSError) as error:
            if not transport.remote_version:  # gone before its banner: our own banner's write failed
                log.info("SFTP connection from %s closed before SSH began (a port probe?)", address)
            else:
                log.info("SFTP session from %s ended: %s", address, ended(transport, error))
        finally:
            if waiting:
                self._startups.done(address)
            transport.close()
            # The SFTP subsystem runs in a thread of paramiko's, a daemon: it sees the channel closed and
            # discards the uploads left open — before this session counts as ended.
            for subsystem in _subsystems_of(server):
                subsystem.join(CUT_SECONDS)


def _subsystems_of(server: DropSshServer) -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if isinstance(thread, paramiko.SubsystemHandler) and thread.get_server() is server
    ]
