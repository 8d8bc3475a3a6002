"""A port a serving command is to listen on that cannot be had — another process listens there, it is no
port at all, the address is not this machine's — is one error line naming the address, why, and the
option or setting to change, in the chosen log format, and exit 1: never a traceback, never a process
left running without its listener."""

from __future__ import annotations

import errno
import logging
import socket
import sys
from typing import NoReturn

CANNOT_LISTEN = 1
log = logging.getLogger("prorata.cli")

_PORT_FAULTS = {
    errno.EADDRINUSE: "the port is in use by another process",
    errno.EACCES: "permission denied (ports below 1024 need privileges)",
}
_HOST_FAULTS = {
    errno.EADDRNOTAVAIL: "the address is not one of this machine's",
    socket.EAI_NONAME: "the host name is unknown",
    socket.EAI_AGAIN: "the host name could not be resolved now",
}


def cannot_listen(
    command: str, what: str, host: str, port: int, error: Exception, host_setting: str, port_setting: str
) -> NoReturn:
    """Exit 1 after one line: `prorata sftp cannot start: cannot listen on 127.0.0.1:2222: the port is in
    use by another process; choose another with --port`."""
    why, fix = _explained(error, host_setting, port_setting)
    log.error(
        "prorata %s cannot start: cannot %s on %s:%d: %s; %s",
        command,
        what,
        host,
        port,
        why,
        fix,
        extra={"code": "port_unavailable"},
    )
    sys.exit(CANNOT_LISTEN)


def _explained(error: Exception, host_setting: str, port_setting: str) -> tuple[str, str]:
    if isinstance(error, OverflowError):  # what `bind` raises for 65536 and above, or below 0
        return "not a port (ports are 0-65535)", f"choose another with {port_setting}"
    number = error.errno if isinstance(error, OSError) else None
    if number in _PORT_FAULTS:
        return _PORT_FAULTS[number], f"choose another with {port_setting}"
    if number in _HOST_FAULTS:
        return _HOST_FAULTS[number], f"check {host_setting}"
    # socket.create_server adds "(while attempting to bind on address …)": the address is said already.
    said = (error.strerror if isinstance(error, OSError) else None) or str(error)
    return said.split(" (while attempting")[0], f"check {host_setting} and {port_setting}"
