"""GET /metrics, for Prometheus: the API's requests by route template and status with their latency, and
figures read from the database at scrape time (imports by status, notifications by outcome, outbox lag).

Under gunicorn every worker process counts its own requests; with PROMETHEUS_MULTIPROC_DIR set
(`prorata api` sets one up) prometheus_client adds them up across processes, so any process answers for
all. prometheus_client picks that mode when it is first imported: it is imported here only when an app is
made, in the serving process, after the variable is set."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app

from prorata.adapters.sql.figures import read_figures
from prorata.entrypoints.api.context import components

if TYPE_CHECKING:
    from prorata.config.bootstrap import Components

log = logging.getLogger(__name__)
blp = Blueprint("metrics", __name__)
# Seconds; most answers take milliseconds, uploads and PDFs up to seconds.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """The requests this process answered, as Prometheus counters (not registered anywhere: each scrape
    gathers them, or in multiprocess mode their files, into a registry of its own)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.requests = Counter(
            "prorata_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=None,
        )
        self.latency = Histogram(
            "prorata_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=None,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


def http_metrics() -> HttpMetrics:
    return current_app.extensions["prorata_metrics"]  # type: ignore[no-any-return]


@blp.route("/metrics")
def metrics() -> Response:
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        from prometheus_client.multiprocess import MultiProcessCollector

        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(http_metrics().requests)
        registry.register(http_metrics().latency)
    registry.register(_DatabaseFigures(components()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0])


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


class _DatabaseFigures:
    """Gauges read from the database at each scrape; `prorata_database_up` 0 when it could not be read."""

    def __init__(self, parts: Components) -> None:
        self.parts = parts

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("prorata_database_up", "1 when the figures below could be read.")
        try:
            figures = read_figures(self.parts.engine)
        except Exception as error:
            log.warning("metrics: the database figures could not be read (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        imports = GaugeMetricFamily("prorata_imports", "Import jobs by status.", labels=["status"])
        for status, count in figures.imports.items():
            imports.add_metric([status], count)
        yield imports
        pushes = GaugeMetricFamily(
            "prorata_notifications", "Push notifications by outcome (status).", labels=["status"]
        )
        for status, count in figures.notifications.items():
            pushes.add_metric([status], count)
        yield pushes
        yield GaugeMetricFamily(
            "prorata_outbox_pending", "Events stored and not yet dispatched.", value=figures.outbox_pending
        )
        lag = 0.0
        if figures.oldest_pending is not None:
            lag = max((self.parts.clock.now() - figures.oldest_pending).total_seconds(), 0.0)
        yield GaugeMetricFamily(
            "prorata_outbox_lag_seconds", "Age of the oldest event not yet dispatched (0: none).", value=lag
        )
