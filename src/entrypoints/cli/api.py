"""`prorata api --host H --port P`: the REST API behind gunicorn, a production WSGI server."""

from __future__ import annotations

import click

from prorata.entrypoints.cli.startup import require_reachable


@click.command("api")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def api(host: str, port: int, workers: int) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs)."""
    # The components, gunicorn, Flask, the workers: imported to serve, not by `--help` (10× its time).
    from prorata.config.bootstrap import bootstrap
    from prorata.entrypoints.background import Background
    from prorata.entrypoints.cli.api_server import serve_api

    parts = bootstrap()
    require_reachable(parts, "api")
    parts.upgrade_database()
    parts.engine.dispose()  # the worker processes open their own connections; none is inherited
    # Without a broker server, each API process runs import workers of its own on its in-process broker:
    # the database holds the truth, so any number of them is safe.
    serve_api(host, port, workers, Background(workers=not parts.settings.broker_url))
