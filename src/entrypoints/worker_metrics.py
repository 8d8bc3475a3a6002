"""`prorata worker`'s Prometheus metrics: dramatiq's own Prometheus middleware (messages processed,
errors, retries, dead letters, in progress, durations by queue and actor), served on
PRORATA_WORKER_METRICS_HOST:PRORATA_WORKER_METRICS_PORT.

dramatiq's CLI would boot the middleware and fork its exposition server; `prorata worker` is one process
that runs dramatiq's Worker itself, so it boots the middleware and serves the figures from a thread. The
middleware keeps its figures in prometheus_client's multiprocess files, in a folder of this process's own
(removed when it stops)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING

import dramatiq

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

# Always in these metrics, and only in these: `prorata ready --metrics-port` tells a worker's port by it
# (dramatiq's own families appear only once a message was processed; the API's /metrics has none).
WORKER_INFO = "prorata_worker_info"


def serve_worker_metrics(broker: dramatiq.Broker, host: str, port: int) -> Callable[[], None]:
    """Serve /metrics and add the middleware to `broker` (before its worker starts); returns what stops
    it. A port that cannot be had raises OSError (OverflowError for no port at all), leaving nothing."""
    folder = tempfile.mkdtemp(prefix="prorata-worker-metrics-")
    # Read when the middleware's module and prometheus_client are first imported: set before either is.
    for name in ("dramatiq_prom_db", "PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir"):
        os.environ[name] = folder
    from dramatiq.middleware.prometheus import Prometheus
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    registry.register(_WorkerInfo())
    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    middleware = Prometheus()
    broker.add_middleware(middleware)
    middleware.after_process_boot(broker)  # type: ignore[no-untyped-call] # what dramatiq's CLI emits in each process it boots

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)
        shutil.rmtree(folder, ignore_errors=True)

    return stop


class _WorkerInfo:
    """`prorata_worker_info 1`, with no multiprocess file behind it."""

    def collect(self) -> list[Metric]:
        from prometheus_client.core import GaugeMetricFamily  # imported by then, after the folder is set

        return [GaugeMetricFamily(WORKER_INFO, "1: a prorata worker serves these metrics", value=1)]
