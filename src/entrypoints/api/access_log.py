"""One log line and one metrics observation per HTTP request: method, route template, status, duration,
request id (the caller's X-Request-Id when it is a sane one, else a new one; echoed in the answer) and the
caller's tenant when known. Never a header's value, so no key or password."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from prorata.entrypoints.api.metrics import HttpMetrics, http_metrics

log = logging.getLogger("prorata.http")
HEADER = "X-Request-Id"
_SANE = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")
NO_ROUTE = "(no route)"  # a path no route takes: one label for all, whatever was asked
# Metric labels take only these (a client may send any method name; each would be a new series).
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def install(app: Flask) -> None:
    """Call first: the start hook must run before any other (a later one may refuse the request)."""
    app.extensions["prorata_metrics"] = HttpMetrics()
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.started = time.perf_counter()
    given = request.headers.get(HEADER, "")
    g.request_id = given if _SANE.fullmatch(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[HEADER] = request_id
    route = request.url_rule.rule if request.url_rule is not None else NO_ROUTE
    method = request.method if request.method in _METHODS else "OTHER"
    http_metrics().observe(method, route, response.status_code, seconds)
    principal = g.get("principal")
    log.info(
        "%s %s %d %.1f ms",
        request.method,
        route,
        response.status_code,
        seconds * 1000,
        extra={
            "request_id": request_id,
            "method": request.method,
            "route": route,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "tenant_id": principal.tenant_id if principal is not None else None,
            "client": request.remote_addr,
        },
    )
    return response
