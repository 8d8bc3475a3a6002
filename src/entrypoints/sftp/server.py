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
        if self.guard.refused(username, self.address):
            log.warning("refused %s from %s: banned after repeated failures", username, self.address)
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

    def listen(self, host: str, port: int) -> socket.socket:
        """Binds host:port now — OSError, or OverflowError for no port at all, if it cannot be had — then
        removes the temporary files of uploads a stopped process left (sftp/unfinished.py)."""
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
                session = threading.Thread(target=self._session, args=(client, address[0]), daemon=True)
                with self._lock:
                    self._sessions.add(session)
                session.start()

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
        transport = _Transport(client)
        server = DropSshServer(self.config, self.guard, address, transport.is_authenticated)
        try:
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", DropSftpServer, JailedFilesystem)
            transport.start_server(server=server)
            while transport.is_active() and not self.cutting.is_set():
                transport.join(1)
        except NoSsh as no_ssh:
            log.log(no_ssh.level, "SFTP connection from %s %s", address, no_ssh.how)
        except (paramiko.SSHException, EOFError, OSError) as error:
            if not transport.remote_version:  # gone before its banner: our own banner's write failed
                log.info("SFTP connection from %s closed before SSH began (a port probe?)", address)
            else:
                log.info("SFTP session from %s ended: %s", address, _ended(transport, error))
        finally:
            transport.close()
            # The SFTP subsystem runs in a thread of paramiko's, a daemon: it sees the channel closed and
            # discards the uploads left open — before this session counts as ended.
            for subsystem in _subsystems_of(server):
                subsystem.join(CUT_SECONDS)


BANNER_SECONDS = 15.0  # paramiko's own banner_timeout
HANDSHAKE_SECONDS = 15.0  # and handshake_timeout: from the banner to the end of the key exchange
_GONE = (EOFError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)


def _ended(transport: paramiko.Transport, error: BaseException) -> str:
    if transport.packetizer.handshake_timed_out():  # paramiko's own cut: a bare EOFError
        return f"its key exchange did not finish within {transport.handshake_timeout:g} s"
    return str(error) or "the client closed it"


class NoSsh(EOFError):
    """The client went without an SSH session: a TCP health check, `prorata ready --sftp-port`, an HTTP probe
    pointed at the wrong port, a scanner's SSH 1 banner, ssh-keyscan asking for a key type this server has
    none of. `how` says which, for the one INFO line."""

    def __init__(self, how: str, level: int = logging.INFO) -> None:
        super().__init__(how)
        self.how, self.level = how, level


class _Transport(paramiko.Transport):
    """paramiko's server side, but a client that goes before its SSH banner (closed, reset, timed out, or
    sent something else) or shares no algorithm with us ends as an EOF — logged at DEBUG by paramiko, once
    at INFO by us — instead of an SSHException paramiko logs at ERROR with its traceback: 21 lines for
    every port probe."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(sock)
        self.banner_timeout = BANNER_SECONDS
        self.handshake_timeout = HANDSHAKE_SECONDS
        self._first_line: str | None = None

    def _check_banner(self) -> None:
        readline = self.packetizer.readline

        def kept(timeout: float) -> str:  # the first line the client sent, for the log line
            line: str = readline(timeout)
            if self._first_line is None:
                self._first_line = line
            return line

        self.packetizer.readline = kept
        try:
            super()._check_banner()
        except paramiko.IncompatiblePeer as error:  # SSH 1.x: `nmap -sC`'s sshv1 script, an old client
            raise NoSsh(f"spoke {self._first_line or ''!r}, not SSH 2.0; closed") from error
        except paramiko.SSHException as error:
            raise NoSsh(self._how(error.__context__)) from error
        finally:
            self.packetizer.readline = readline

    def _negotiate_keys(self, m: paramiko.Message) -> None:
        try:
            super()._negotiate_keys(m)
        except paramiko.IncompatiblePeer as error:
            if self.initial_kex_done:  # a rekey mid-session: paramiko's own error, as it was
                raise
            # paramiko's words are a client's ("Incompatible ssh server (no acceptable ciphers)")
            reason = str(error).partition("(")[2].removesuffix(")") or str(error)
            # ssh-keyscan asking for a key type we have none of is routine; a client set to ciphers, MACs
            # or key exchanges we do not speak is a partner's to fix, and seen.
            level = logging.INFO if reason == "no acceptable host key" else logging.WARNING
            raise NoSsh(f"shares no algorithm with this server ({reason}); closed", level) from error

    def _how(self, cause: BaseException | None) -> str:
        if self._first_line is not None:
            said = f"spoke no SSH (it sent {self._first_line[:40]!r})"
            return f"{said} and closed" if isinstance(cause, _GONE) else f"{said}; closed"
        if isinstance(cause, _GONE):
            return "closed before SSH began (a port probe?)"
        if isinstance(cause, TimeoutError):
            return f"sent no SSH banner within {self.banner_timeout:g} s; closed"
        return f"sent no SSH banner ({cause}); closed"


def _subsystems_of(server: DropSshServer) -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if isinstance(thread, paramiko.SubsystemHandler) and thread.get_server() is server
    ]
