"""The REST API behind gunicorn, a production WSGI server: what `prorata api` and `prorata run` serve
with. A module of its own, imported only to serve: gunicorn and the Flask app are not for `--help`."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker

from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.entrypoints.api.app import create_app
from prorata.entrypoints.background import Background
from prorata.entrypoints.log_format import formatter

# Requests in progress at SIGTERM get this long to finish; then gunicorn stops their process anyway.
GRACEFUL_SECONDS = 30


class ServingWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker, but its quit (SIGQUIT: the master's answer to SIGINT) takes no lock. A
    signal handler runs on the main thread wherever it was; gthread's calls `tpool.shutdown`, which takes the
    pool's lock — the one that thread holds while `submit` starts a pool thread. A Ctrl-C landing then hung
    the worker until gunicorn's SIGKILL. The SystemExit it raises releases the lock on its way out, and it
    wakes the pool's idle threads itself, lock-free, so that they end before the exit waits on them."""

    def handle_quit(self, sig: int, frame: Any) -> None:
        if self.tpool is not None:
            # What `shutdown(wait=False)` does, without its lock: idle pool threads wake and end, so exit
            # does not wait for them — one started by the interrupted `submit` may not yet be registered
            # for Python's own wake-up at exit. SimpleQueue's put is reentrant.
            self.tpool._shutdown = True
            self.tpool._work_queue.put(None)
        Worker.handle_quit(self, sig, frame)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn serving our app. The master only forks and supervises; each worker process wires its own
    components (`load` runs after the fork) and runs `background` from when it is ready to serve until it
    exits."""

    def __init__(self, options: dict[str, Any], background: Background) -> None:
        self.options = options
        self.background = background
        self.parts: Components | None = None
        super().__init__()

    def load_config(self) -> None:
        hooks = {
            "post_worker_init": self._start_background,
            "worker_exit": self._stop_background,
            "child_exit": _forget_metrics_of,
            "logger_class": _gunicorn_logger(Settings.from_environment().log_format),
        }
        for key, value in {**self.options, **hooks}.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn ≥ 25.1 would start a thread in the master for `gunicornc`, listening on one socket path
            # ($XDG_RUNTIME_DIR or ~/.gunicorn) that every gunicorn of this user shares.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        self.parts = bootstrap()
        return create_app(self.parts)

    def _start_background(self, worker: Any) -> None:
        assert self.parts is not None
        # A terminal's Ctrl-C reaches this process too, and then the master's SIGQUIT: gunicorn's gthread
        # worker would run its quit twice, the second inside the first, and hang. The master alone acts on
        # SIGINT and tells this process to stop.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.background.start(self.parts)

    def _stop_background(self, arbiter: Any, worker: Any) -> None:
        if worker.pid != os.getpid():
            return  # gunicorn calls this hook in the master too, for a worker it found already gone
        # The master follows a Ctrl-C with SIGQUIT, which would cut the stop short; it SIGKILLs this process
        # anyway if stopping outlasts gunicorn's graceful timeout.
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        self.background.stop()


def serve_api(host: str, port: int, workers: int, background: Background) -> None:
    """Run gunicorn until it is stopped, with `background` in each of its worker processes.

    On SIGTERM gunicorn stops accepting, lets requests in progress finish (up to `graceful_timeout`),
    then each worker process stops its background parts. Each request is logged once by the app (with
    its request id), so gunicorn writes no access log of its own."""
    made = _metrics_folder()
    master = os.getpid()
    try:
        _Gunicorn(
            {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",  # an IPv6 host: [::]
                "workers": max(workers, 1),
                "worker_class": ServingWorker,
                "threads": 4,
                "accesslog": None,
                "timeout": 120,
                "graceful_timeout": GRACEFUL_SECONDS,
            },
            background,
        ).run()
    finally:
        # A worker process leaves gunicorn by SystemExit through this same frame (it was forked inside
        # `run`): only the master removes the folder, the others still write their counters there.
        if made is not None and os.getpid() == master:
            shutil.rmtree(made, ignore_errors=True)


def _metrics_folder() -> str | None:
    """prometheus_client's multiprocess mode, so that /metrics adds up every worker process: the
    operator's PROMETHEUS_MULTIPROC_DIR (emptied of a previous run's files), else a folder of our own,
    made here and removed at exit (returned)."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink(missing_ok=True)
        return None
    made = tempfile.mkdtemp(prefix="prorata-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


def _forget_metrics_of(arbiter: Any, worker: Any) -> None:
    """A worker process gone: its live gauges no longer count (counters and histograms are kept)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def _gunicorn_logger(kind: str) -> type:
    """gunicorn's logger, writing its own lines (booting, workers, timeouts) in our format."""
    from gunicorn.glogging import Logger

    class _Logger(Logger):  # type: ignore[misc]
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.setFormatter(formatter(kind))

    return _Logger
