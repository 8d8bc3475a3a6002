"""paramiko's SSH transport, server side, held to what a client may send before it has logged in: a banner
within its time and length, packets of a bounded size, a key exchange in order. A client that goes or
errs without an SSH session ends as one line of ours (NoSsh) instead of paramiko's ERROR and traceback,
and costs a bounded amount of memory and time."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import paramiko
from paramiko.common import MSG_DEBUG, MSG_DISCONNECT, MSG_IGNORE

BANNER_SECONDS = 15.0  # paramiko's own banner_timeout, here for every line before the banner together
HANDSHAKE_SECONDS = 15.0  # and handshake_timeout: from the banner to the end of the key exchange
# What a client may send before its banner's line feed (RFC 4253: the version line is at most 255 bytes).
BANNER_BYTES = 8192
# The longest packet taken (OpenSSH's own limit); SFTP's are at most 32 KiB, the channel's packet size.
PACKET_BYTES = 256 * 1024
_RESET = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
_GONE = (EOFError, *_RESET)
_ANYTIME = (MSG_IGNORE, MSG_DISCONNECT, MSG_DEBUG)  # paramiko takes these at any point of the exchange


class NoSsh(EOFError):
    """The client went without an SSH session: a TCP health check, `prorata ready --sftp-port`, an HTTP probe
    pointed at the wrong port, a scanner's SSH 1 banner, ssh-keyscan asking for a key type this server has
    none of, a client sending what no SSH client sends. `how` says which, for the one line; an EOFError, so
    paramiko logs it at DEBUG only."""

    def __init__(self, how: str, level: int = logging.INFO) -> None:
        super().__init__(how)
        self.how, self.level = how, level


def ended(transport: paramiko.Transport, error: BaseException) -> str:
    if transport.packetizer.handshake_timed_out():  # paramiko's own cut: a bare EOFError
        return f"its key exchange did not finish within {transport.handshake_timeout:g} s"
    return str(error) or "the client closed it"


class DropTransport(paramiko.Transport):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__(sock)
        self.banner_timeout = BANNER_SECONDS
        self.handshake_timeout = HANDSHAKE_SECONDS
        self._first_line: str | None = None
        packetizer = self.packetizer
        read_all, read_message = packetizer.read_all, packetizer.read_message

        def bounded(n: int, check_rekey: bool = False) -> bytes:
            # paramiko reads a packet of whatever length the client announces, keeping it all: 4 GiB
            # announced before the key exchange took 320 MB in 8 s of one connection.
            if n > PACKET_BYTES:
                raise NoSsh(f"sent a packet over {PACKET_BYTES} bytes long; closed", logging.WARNING)
            return read_all(n, check_rekey)

        def in_order() -> tuple[int, paramiko.Message]:
            try:
                ptype, message = read_message()
            except _RESET as reset:
                during = "" if self.initial_kex_done else " during its key exchange"
                raise NoSsh(f"reset the connection{during}") from reset
            except paramiko.SSHException as error:
                if self.initial_kex_done:
                    raise
                raise NoSsh(f"sent no SSH key exchange ({error}); closed") from error
            expected = self._expected_packet
            if not self.initial_kex_done and expected and ptype not in (*expected, *_ANYTIME):
                raise NoSsh(f"sent message {ptype} before its key exchange; closed")
            return ptype, message

        packetizer.read_all = bounded
        packetizer.read_message = in_order

    def _check_banner(self) -> None:
        packetizer = self.packetizer
        readline, read_some = packetizer.readline, packetizer._read_timeout
        deadline, taken = time.monotonic() + self.banner_timeout, 0

        def kept(timeout: float) -> str:  # the first line the client sent, for the log line
            line: str = readline(timeout)
            if self._first_line is None:
                self._first_line = line
            return line

        def within(timeout: float) -> Any:
            # paramiko's limits count from the last bytes received, per line, for 100 lines: a client
            # trickling bytes was kept for ever, its line growing. Here every line counts together.
            nonlocal taken
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            some = read_some(min(timeout, left))
            taken += len(some)
            if taken > BANNER_BYTES:
                raise NoSsh(f"sent over {BANNER_BYTES} bytes and no SSH banner line; closed")
            return some

        packetizer.readline, packetizer._read_timeout = kept, within
        try:
            super()._check_banner()
        except paramiko.IncompatiblePeer as error:  # SSH 1.x: `nmap -sC`'s sshv1 script, an old client
            raise NoSsh(f"spoke {self._first_line or ''!r}, not SSH 2.0; closed") from error
        except paramiko.SSHException as error:
            raise NoSsh(self._how(error.__context__)) from error
        finally:
            packetizer.readline, packetizer._read_timeout = readline, read_some

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
        if isinstance(cause, NoSsh):
            return cause.how
        if self._first_line is not None:
            said = f"spoke no SSH (it sent {self._first_line[:40]!r})"
            return f"{said} and closed" if isinstance(cause, _GONE) else f"{said}; closed"
        if isinstance(cause, _GONE):
            return "closed before SSH began (a port probe?)"
        if isinstance(cause, TimeoutError):
            return f"sent no SSH banner within {self.banner_timeout:g} s; closed"
        return f"sent no SSH banner ({cause}); closed"
