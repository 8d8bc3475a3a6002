"""What an operator sees of the API: a request id on every answer, one log line per request (route
template, status, duration, tenant — never a key), and Prometheus metrics at /metrics, counted per route
and status, with figures read from the database when scraped."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.domain.access.principal import Role
from prorata.domain.events import ImportEnded
from prorata.entrypoints.api.app import create_app
from prorata.entrypoints.log_format import JsonFormatter
from tests.api_client import Caller, key_for, new_tenant

SAMPLE = Path(__file__).parents[1] / "fixtures" / "samples" / "readings-heating-es.csv"


Scraped = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(app: Flask) -> Scraped:
    answer = app.test_client().get("/metrics")
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def requests_of(found: Scraped, route: str, status: str) -> float:
    labels = (("method", "GET"), ("route", route), ("status", status))
    return found.get(("prorata_http_requests_total", labels), 0.0)


def test_every_answer_carries_a_request_id_the_caller_s_when_sane(app: Flask) -> None:
    client = app.test_client()
    given = client.get("/health", headers={"X-Request-Id": "lb-7f3a.42"})
    assert given.headers["X-Request-Id"] == "lb-7f3a.42"
    made = client.get("/health")
    assert len(made.headers["X-Request-Id"]) >= 16
    assert made.headers["X-Request-Id"] != client.get("/health").headers["X-Request-Id"]
    odd = client.get("/health", headers={"X-Request-Id": "x" * 500})
    assert odd.headers["X-Request-Id"] != "x" * 500
    refused = client.get("/v1/communities", headers={"X-Request-Id": "no-key"})
    assert (refused.status_code, refused.headers["X-Request-Id"]) == (401, "no-key")


def test_one_line_per_request_with_route_status_duration_and_tenant_and_no_key(
    manager: Caller, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    community = manager.created("/v1/communities", {"code": "OBS1", "name": "CP Observada"})
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="prorata.http"):
        answer = manager.get(f"/v1/communities/{community['id']}", headers={"X-Request-Id": "req-1"})
    assert answer.status_code == 200
    (line,) = [r for r in caplog.records if r.name == "prorata.http"]
    fields = vars(line)
    assert fields["route"] == "/v1/communities/<community_id>"
    assert (fields["method"], fields["status"], fields["request_id"]) == ("GET", 200, "req-1")
    assert fields["tenant_id"] == tenant
    assert fields["duration_ms"] >= 0
    assert manager.key is not None
    secret = manager.key.split("_", 2)[2]  # prk_<id>_<secret>: the secret may itself hold "_"
    assert secret not in JsonFormatter().format(line)


def test_metrics_count_requests_by_route_template_and_status(app: Flask, manager: Caller) -> None:
    route = "/v1/communities/<community_id>"
    before = scrape(app)
    for _ in range(3):
        assert manager.get("/v1/communities/does-not-exist").status_code == 404
    assert app.test_client().get("/no/such/path").status_code == 404
    after = scrape(app)
    assert requests_of(after, route, "404") - requests_of(before, route, "404") == 3
    assert requests_of(after, "(no route)", "404") - requests_of(before, "(no route)", "404") == 1
    latency = ("prorata_http_request_duration_seconds_count", (("method", "GET"), ("route", route)))
    assert after[latency] - before.get(latency, 0.0) == 3


class _Later:
    """The clock an hour on: what the scrape sees of an event stored an hour ago."""

    def now(self) -> datetime:
        return datetime.now().astimezone() + timedelta(hours=1)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Components]:
    """Components on a database of their own, and no worker: what is sent stays to do."""
    settings = Settings.from_environment(
        {"PRORATA_DATA_DIR": str(tmp_path / "var"), "PRORATA_DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"}
    )
    parts = bootstrap(settings)
    parts.upgrade_database()
    yield parts
    parts.engine.dispose()


def test_metrics_show_imports_by_status_notifications_and_the_outbox_lag(fresh: Components) -> None:
    app = create_app(dataclasses.replace(fresh, clock=_Later()))
    empty = scrape(app)
    assert empty[("prorata_imports", (("status", "settled"),))] == 0
    assert empty[("prorata_notifications", (("status", "sent"),))] == 0
    assert empty[("prorata_outbox_lag_seconds", ())] == 0
    assert empty[("prorata_database_up", ())] == 1
    tenant = new_tenant(fresh)
    manager = Caller(app.test_client(), key_for(fresh, Role.MANAGER, tenant))
    assert manager.upload("/v1/imports", SAMPLE.read_bytes(), "lecturas.csv").status_code == 202
    with fresh.unit_of_work() as uow:
        uow.emit(ImportEnded(tenant, "an-import", "failed"))
        uow.commit()
    found = scrape(app)
    assert found[("prorata_imports", (("status", "received"),))] == 1
    assert found[("prorata_outbox_pending", ())] >= 1
    assert 3500 < found[("prorata_outbox_lag_seconds", ())] < 3700


def test_metrics_still_answer_when_the_database_does_not(tmp_path: Path) -> None:
    settings = Settings.from_environment(
        {"PRORATA_DATA_DIR": str(tmp_path), "PRORATA_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}
    )
    found = scrape(create_app(bootstrap(settings)))
    assert found[("prorata_database_up", ())] == 0


def test_one_line_per_job_with_actor_ids_tenant_outcome_and_status(
    manager: Caller, tenant: str, drain: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="prorata.jobs"):
        upload = manager.upload("/v1/imports", SAMPLE.read_bytes() + b"\n\n", "obs.csv")
        assert upload.status_code == 202
        drain()
    job = manager.get(f"/v1/imports/{upload.get_json()['id']}").get_json()
    lines = [vars(r) for r in caplog.records if r.name == "prorata.jobs" and vars(r)["job_id"] == job["id"]]
    assert [line["actor"] for line in lines] == ["run_import"]
    (line,) = lines
    assert (line["tenant_id"], line["outcome"], line["status"]) == (tenant, "ok", job["status"])
    assert line["message_id"]
    assert line["duration_ms"] > 0
    events = [
        vars(r) for r in caplog.records if r.name == "prorata.jobs" and vars(r)["actor"] == "dispatch_event"
    ]
    assert events, "the import's end is an event the relay dispatched"
    assert {e["tenant_id"] for e in events} >= {tenant}


def test_made_up_methods_and_paths_add_no_metric_series(app: Flask) -> None:
    client = app.test_client()
    for n in range(5):
        client.open(f"/no/such/{n}", method=f"BREW{n}")
    labels = {labels for name, labels in scrape(app) if name == "prorata_http_requests_total"}
    assert not any("BREW" in value or "/no/such" in value for pairs in labels for _, value in pairs)
    assert any(dict(pairs)["method"] == "OTHER" and dict(pairs)["route"] == "(no route)" for pairs in labels)
