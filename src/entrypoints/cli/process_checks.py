"""Healthchecks of a process itself, not of what it depends on: `prorata ready` in a fresh process can
only tell that the database and broker answer, so a dead SFTP listener, worker or API would stay healthy.
Each says what is wrong in the shape of the other checks (`sftp`, `metrics`, `api`), or None."""

from __future__ import annotations

import http.client
import json
import re
import socket
import urllib.error
import urllib.request

from prorata.adapters.readiness import NotReady

TIMEOUT_SECONDS = 5.0
MOST_READ = 1 << 20  # of an answer's body: metrics run to kilobytes


def check_sftp(port: int) -> NotReady | None:
    """An SSH server's banner (`SSH-2.0-…`) on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECONDS) as connection:
            banner = connection.recv(256)
    except OSError as error:
        return NotReady(
            "sftp",
            "sftp_unreachable",
            f"nothing answers on 127.0.0.1:{port} ({error}); is `prorata sftp --port {port}` running?",
        )
    if not banner.startswith(b"SSH-"):
        return NotReady(
            "sftp", "sftp_not_ssh", f"127.0.0.1:{port} answers without an SSH banner ({banner[:40]!r})"
        )
    return None


def check_metrics(port: int) -> NotReady | None:
    """A prorata worker's Prometheus metrics (PRORATA_WORKER_METRICS_PORT) on 127.0.0.1:port: they hold
    its `prorata_worker_info`, which no other /metrics has (dramatiq's own families appear only once a
    message was processed; the API's /metrics has none of them)."""
    from prorata.entrypoints.worker_metrics import WORKER_INFO

    url = f"http://127.0.0.1:{port}/metrics"
    answer = _get(url, "metrics", "is `prorata worker` running with its PRORATA_WORKER_METRICS_PORT there?")
    if isinstance(answer, NotReady):
        return answer
    if not re.search(rf"^(# TYPE )?{WORKER_INFO}[ {{]", answer.decode(errors="replace"), re.MULTILINE):
        return NotReady(
            "metrics",
            "metrics_not_a_worker",
            f"{url} answers without {WORKER_INFO}: not a prorata worker's metrics (the API's /metrics?); "
            "give --metrics-port the worker's PRORATA_WORKER_METRICS_PORT",
        )
    return None


def check_api(port: int) -> NotReady | None:
    """The REST API's GET /health answering 200 `{"status": "ok", …}` on 127.0.0.1:port."""
    url = f"http://127.0.0.1:{port}/health"
    answer = _get(url, "api", f"is `prorata api --port {port}` running?")
    if isinstance(answer, NotReady):
        return answer
    try:
        status = json.loads(answer).get("status")
    except (ValueError, AttributeError):
        status = None
    if status != "ok":
        return NotReady(
            "api", "api_not_prorata", f"{url} answers 200 but not as prorata's API ({answer[:60]!r})"
        )
    return None


def _get(url: str, check: str, hint: str) -> bytes | NotReady:
    """The body of a 200 answer to GET `url`, or what went wrong, in one line (never a traceback)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (our http://127.0.0.1)
            return bytes(answer.read(MOST_READ))
    except urllib.error.HTTPError as error:  # an HTTP answer, not 200
        return NotReady(check, f"{check}_unreachable", f"{url} answered {error.code}; {hint}")
    except http.client.HTTPException as error:  # something answers there, but not HTTP (an SSH server…)
        why = f"{type(error).__name__}: {str(error).strip()[:60]}"
        return NotReady(check, f"{check}_not_http", f"{url}: the port answers, but not HTTP ({why}); {hint}")
    except OSError as error:
        reason = getattr(error, "reason", error)  # urllib wraps the socket's error
        return NotReady(check, f"{check}_unreachable", f"{url} does not answer ({reason}); {hint}")
