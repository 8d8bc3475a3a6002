"""`prorata api --host H --port P`: the REST API behind gunicorn, a production WSGI server."""

from __future__ import annotations

import os
import signal
from typing import Any

import click
from gunicorn.app.base import BaseApplication

from prorata.config.bootstrap import Components, bootstrap
from prorata.entrypoints.api.app import create_app
from prorata.entrypoints.background import Background


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
        hooks = {"post_worker_init": self._start_background, "worker_exit": self._stop_background}
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


@click.command("api")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def api(host: str, port: int, workers: int) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs)."""
    parts = bootstrap()
    parts.upgrade_database()
    parts.engine.dispose()  # the worker processes open their own connections; none is inherited
    # Without a broker server, each API process runs import workers of its own on its in-process broker:
    # the database holds the truth, so any number of them is safe.
    serve_api(host, port, workers, Background(workers=not parts.settings.broker_url))


def serve_api(host: str, port: int, workers: int, background: Background) -> None:
    """Run gunicorn until it is stopped, with `background` in each of its worker processes."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": max(workers, 1),
            "worker_class": "gthread",
            "threads": 4,
            "accesslog": "-",
            "timeout": 120,
        },
        background,
    ).run()
