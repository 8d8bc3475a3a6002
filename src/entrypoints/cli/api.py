"""`prorata api --host H --port P`: the REST API behind gunicorn, a production WSGI server."""

from __future__ import annotations

from typing import Any

import click
from gunicorn.app.base import BaseApplication

from prorata.config.bootstrap import bootstrap
from prorata.entrypoints.api.app import create_app
from prorata.entrypoints.worker import start_workers


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        parts = bootstrap()
        if not parts.settings.broker_url:
            # All-in-one: no broker server, so each API process runs import workers in threads.
            start_workers(parts, parts.settings.worker_threads, parts.settings.sweep_seconds)
        return create_app(parts)


@click.command("api")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def api(host: str, port: int, workers: int) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs)."""
    bootstrap().upgrade_database()
    serve_api(host, port, workers)


def serve_api(host: str, port: int, workers: int) -> None:
    """Run gunicorn until it is stopped; without a broker, each process runs import workers too."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": max(workers, 1),
            "worker_class": "gthread",
            "threads": 4,
            "accesslog": "-",
            "timeout": 120,
        }
    ).run()
