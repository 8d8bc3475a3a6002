"""Healthchecks of a process itself, not of what it depends on: `prorata ready` in a fresh process can
only tell that the database and broker answer, so a dead SFTP listener or worker would stay healthy."""

from __future__ import annotations

import socket
import urllib.request

TIMEOUT_SECONDS = 5.0


def check_sftp(port: int) -> str | None:
    """An SSH server's banner (`SSH-2.0-…`) on 127.0.0.1:port, or what went wrong."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECONDS) as connection:
            banner = connection.recv(256)
    except OSError as error:
        return (
            f"sftp: nothing answers on 127.0.0.1:{port} ({error}); is `prorata sftp --port {port}` running?"
        )
    if not banner.startswith(b"SSH-"):
        return f"sftp: 127.0.0.1:{port} answers without an SSH banner ({banner[:40]!r})"
    return None


def check_metrics(port: int) -> str | None:
    """The worker's Prometheus metrics (PRORATA_WORKER_METRICS_PORT) answering 200 on 127.0.0.1:port."""
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:
            if answer.status == 200:
                return None
            return f"worker: {url} answered {answer.status}"
    except OSError as error:
        return f"worker: {url} does not answer ({error}); is `prorata worker` running with its metrics port?"
