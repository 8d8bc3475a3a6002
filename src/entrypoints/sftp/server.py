"""The SSH side of the drop zone: host key, authentication with brute-force bans, one thread per client."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import paramiko

from prorata.adapters.passwords import verify_password
from prorata.domain.dropzone.model import DropAccount
from prorata.domain.dropzone.throttle import LoginThrottle
from prorata.entrypoints.sftp.filesystem import DropSftpServer, JailedFilesystem

log = logging.getLogger(__name__)


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


class DropSshServer(paramiko.ServerInterface):
    """One client connection: authenticates against the drop-zone accounts, offers only SFTP."""

    def __init__(
        self, config: DropZoneConfig, throttle: LoginThrottle, lock: threading.Lock, address: str
    ) -> None:
        self.config = config
        self.throttle = throttle
        self.lock = lock
        self.address = address
        self.account: DropAccount | None = None

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
        return "publickey,password"

    def check_auth_password(self, username: str, password: str) -> int:
        return self._decide(
            username,
            lambda account: (
                bool(account.password_hash) and verify_password(password, account.password_hash or "")
            ),
        )

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        offered = f"{key.get_name()} {key.get_base64()}"
        return self._decide(
            username,
            lambda account: any(" ".join(known.split()[:2]) == offered for known in account.public_keys),
        )

    def _decide(self, username: str, accepts: Callable[[DropAccount], bool]) -> int:
        now = self.config.now()
        keys = (f"user:{username}", f"address:{self.address}")
        with self.lock:
            if any(self.throttle.banned(key, now) for key in keys):
                log.warning("refused %s from %s: banned after repeated failures", username, self.address)
                return paramiko.AUTH_FAILED
        account = self.config.find_account(username)
        if account is not None and accepts(account):
            with self.lock:
                for key in keys:
                    self.throttle.succeeded(key)
            self.account = account
            return paramiko.AUTH_SUCCESSFUL
        with self.lock:
            for key in keys:
                self.throttle.failed(key, now)
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
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

    def __init__(
        self, config: DropZoneConfig, host_key: paramiko.PKey, throttle: LoginThrottle | None = None
    ) -> None:
        self.config = config
        self.host_key = host_key
        self.throttle = throttle or LoginThrottle()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def serve(self, host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
        with socket.create_server((host, port), reuse_port=False) as listener:
            listener.settimeout(0.5)
            if ready:
                ready(listener.getsockname()[1])
            while not self.stopping.is_set():
                try:
                    client, address = listener.accept()
                except TimeoutError:
                    continue
                threading.Thread(target=self._session, args=(client, address[0]), daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()

    def _session(self, client: socket.socket, address: str) -> None:
        transport = paramiko.Transport(client)
        try:
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", DropSftpServer, JailedFilesystem)
            transport.start_server(server=DropSshServer(self.config, self.throttle, self.lock, address))
            while transport.is_active() and not self.stopping.is_set():
                transport.join(1)
        except (paramiko.SSHException, EOFError, OSError) as error:
            log.info("SFTP session from %s ended: %s", address, error)
        finally:
            transport.close()
