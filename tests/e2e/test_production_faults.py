"""Faults an operator meets, on PostgreSQL and RabbitMQ with the processes as they run in production: the
broker gone while uploads keep arriving, database connections terminated mid-request, OneSignal throttling
and failing in bursts."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import text

from prorata.entrypoints.api.app import create_app
from tests import fake_onesignal as answers
from tests.api_client import Caller
from tests.e2e.production import Production, Service, deployment, production, wait_until
from tests.fake_onesignal import API_KEY, APP_ID, fake_onesignal
from tests.integration.notification_world import onesignal_env, published_world
from tests.production_files import community_workbook
from tests.services import RABBITMQ_URL
from tests.tcp_proxy import tcp_proxy

__all__ = ["deployment", "production"]  # the fixtures these tests use

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client: httpx.Client, content: bytes, name: str) -> httpx.Response:
    return client.post("/v1/imports", files={"file": (name, content, XLSX)})


def imports_by_status(client: httpx.Client) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for job in client.get("/v1/imports", params={"page_size": 500}).json():
        found.setdefault(job["status"], []).append(job["original_name"])
    return found


def test_uploads_are_accepted_while_the_broker_is_down_and_processed_once_it_is_back(
    deployment: Production,
) -> None:
    rabbitmq = urlsplit(RABBITMQ_URL)
    with tcp_proxy(rabbitmq.hostname or "127.0.0.1", rabbitmq.port or 5672) as proxy:
        through = {"PRORATA_BROKER_URL": proxy.url_for(deployment.env["PRORATA_BROKER_URL"])}
        api = deployment.api(env=through)
        worker = deployment.worker(env=through)
        _, key = deployment.tenant()
        manager = api.client(key)
        assert upload(manager, community_workbook("C0200"), "before.xlsx").status_code == 202
        wait_until(lambda: imports_by_status(manager).get("settled") == ["before.xlsx"], 30, deployment.logs)

        proxy.cut()
        files = {f"during-{n}.xlsx": community_workbook(f"C020{n + 1}") for n in range(3)}
        for name, content in files.items():
            started = time.monotonic()
            answer = upload(manager, content, name)
            assert answer.status_code == 202, (answer.status_code, answer.text, deployment.logs())
            assert time.monotonic() - started < 10
        assert upload(manager, files["during-0.xlsx"], "again.xlsx").status_code == 200  # the same bytes
        names = list(files)
        time.sleep(1.5)  # longer than the sweeper's resend interval: nothing can be sent meanwhile
        assert sorted(imports_by_status(manager)["received"]) == names
        for _ in range(2):
            assert httpx.get(f"{api.base}/ready", timeout=30).status_code == 503
        wait_until(lambda: _outage_warnings(worker) == 1, 15, deployment.logs)

        proxy.restore()
        wait_until(lambda: len(imports_by_status(manager).get("settled", [])) == 4, 30, deployment.logs)
    for service in (api.service, worker):  # one warning for the outage, not pika's line per attempt
        assert _outage_warnings(service) <= 1, service.tail(80)
        assert not _pika_lines(service), service.tail(80)
    jobs = manager.get("/v1/imports").json()
    assert sorted(j["original_name"] for j in jobs) == ["before.xlsx", *names]
    assert [len(manager.get(j["url"]).json()["settlements"]) for j in jobs] == [1] * 4
    assert len(manager.get("/v1/settlements").json()) == 4  # one each, none twice


def _outage_warnings(service: Service) -> int:
    return service.log.read_text().count("the broker does not answer")


def _pika_lines(service: Service) -> list[str]:
    return [line for line in service.log.read_text().splitlines() if " pika." in line]


def backends(deployment: Production, **where: Any) -> list[dict[str, Any]]:
    with deployment.parts.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT pid, state, wait_event_type, query FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).mappings()
        return [dict(row) for row in rows if all(row[k] == v for k, v in where.items())]


def draft_settlement(client: httpx.Client, code: str, units: int = 3) -> dict[str, Any]:
    """A community's draft (a fixed cost shared by coefficient) ready to publish."""
    community = created(client, "/v1/communities", {"code": code, "name": f"CP {code}"})
    for n in range(units):
        created(client, f"/v1/communities/{community['id']}/units", {"code": f"{n + 1}A", "coefficient": "1"})
    terms = {
        "community_id": community["id"],
        "service": "other",
        "period": {"from": "2026-01-01", "to": "2026-03-31"},
        "consumption_share": "0",
        "costs": [{"concept": "Limpieza", "amount": "90.00"}],
    }
    settlement: dict[str, Any] = created(client, "/v1/settlements", terms)
    return settlement


def created(client: httpx.Client, path: str, body: Any) -> Any:
    answer = client.post(path, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_connection_terminated_mid_request_answers_503_keeps_nothing_and_the_next_request_succeeds(
    deployment: Production,
) -> None:
    api = deployment.api()
    _, key = deployment.tenant()
    manager = api.client(key)
    settlement = draft_settlement(manager, "C0300")
    with ThreadPoolExecutor(4) as pool:  # the API's pool holds a connection for each of its threads
        assert {a.status_code for a in pool.map(lambda _: manager.get("/v1/communities"), range(8))} == {200}
    holder = deployment.parts.engine.connect()
    try:
        # Publishing writes the settlement, its receipts and their history, then its events: it waits there,
        # mid-transaction, until its connection is terminated.
        holder.execute(text("LOCK TABLE outbox IN EXCLUSIVE MODE"))
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(manager.post, f"/v1/settlements/{settlement['id']}/publish")
            waiting = wait_until(lambda: backends(deployment, wait_event_type="Lock"), 15, deployment.logs)
            assert "INSERT INTO outbox" in waiting[0]["query"]
            terminated = terminate_backends(deployment, holder)
            # The one mid-request, and the API's idle pooled ones if it opened more than one (the eight
            # requests above need not have overlapped: CI once saw only the one).
            assert waiting[0]["pid"] in terminated
            holder.rollback()
            refused = answer.result(timeout=30)
    finally:
        holder.close()
    assert refused.status_code == 503, (refused.text, deployment.logs())
    assert refused.headers["Retry-After"]
    [error] = refused.json()["errors"]
    assert error["code"] == "service_unavailable"
    assert "again" in error["message"]
    # Nothing of the publish was kept; every pooled connection that died is replaced, not used.
    assert [manager.get(f"/v1/settlements/{settlement['id']}").json()["status"] for _ in range(8)] == [
        "draft"
    ] * 8
    assert manager.get("/v1/receipts", params={"settlement_id": settlement["id"]}).json() == []
    published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
    assert published.status_code == 201, published.text
    assert len(manager.get("/v1/receipts", params={"settlement_id": settlement["id"]}).json()) == 3


def terminate_backends(deployment: Production, spare: Any) -> list[int]:
    """pg_terminate_backend on every backend of the test's own database but `spare`'s and this one's."""
    spared = spare.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with deployment.parts.engine.connect() as connection:
        pids = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid NOT IN (pg_backend_pid(), :spared)"
            ),
            {"spared": spared},
        ).scalars()
        return [
            pid
            for pid in pids
            if connection.execute(text(f"SELECT pg_terminate_backend({int(pid)})")).scalar()
        ]


def test_onesignal_throttling_and_failing_in_bursts_still_makes_one_push_per_resident(
    deployment: Production,
) -> None:
    burst = [
        *[answers.throttled("1")] * 3,
        *[answers.status(500)] * 3,
        *[answers.html(502)] * 2,
        answers.status(503),
        answers.made_then(500),  # made, then the answer lost on the way back: asked again, same key
    ]
    with fake_onesignal() as fake:
        fake.then(*burst)
        deployment.worker(
            env=onesignal_env(fake.root, APP_ID, API_KEY, PRORATA_ONESIGNAL_TIMEOUT_SECONDS="2")
        )
        _, key = deployment.tenant()
        manager = Caller(create_app(deployment.parts).test_client(), key)
        world = published_world(
            manager, manager.created("/v1/communities", {"code": "C0400", "name": "CP 400"})
        )

        def all_sent() -> list[dict[str, Any]] | None:
            made: list[dict[str, Any]] = manager.get("/v1/notifications").get_json()
            return made if len(made) == 3 and {n["status"] for n in made} == {"sent"} else None

        made = wait_until(
            all_sent, 60, lambda: f"{manager.get('/v1/notifications').get_json()}\n{deployment.logs()}"
        )
        requests = list(fake.requests)
    assert len(requests) > len(burst)  # every failure was retried
    for notification in made:
        assert (
            fake.created_for(
                notification["receipt_id"], notification["event_id"], notification["external_id"]
            )
            == 1
        )
    assert len(fake.created) == 3
    assert {n["resident_id"] for n in made} == {world.residents[k]["id"] for k in ("rosa", "marc", "jordi")}
    for n, (request, reply) in enumerate(zip(requests, burst, strict=False)):
        if reply.status == 429:  # the next try of that notification waited as long as it was told
            again = next(r for r in requests[n + 1 :] if r.key == request.key)
            assert again.at - request.at >= 0.9
