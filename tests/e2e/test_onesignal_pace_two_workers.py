"""Two `prorata worker` processes on one broker (Redis) share PRORATA_ONESIGNAL_MAX_RPS: a stand-in OneSignal
that refuses (429) whatever arrives beyond the limit within a second refuses nothing, though the nine
pushes of a published settlement are queued at once (the test takes some 7 s, most of it the workers'
start and a database of its own)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from prorata.domain.access.principal import Role
from prorata.domain.notifications.model import NotificationStatus
from prorata.domain.notifications.pacing import MICROS, most_in_a_second
from prorata.entrypoints.api.app import create_app
from tests.api_client import Caller, key_for
from tests.e2e.production import Production, Service, wait_until
from tests.integration.notification_world import populated
from tests.integration.published import publish
from tests.onesignal_as_documented import APP_ID, APP_KEY, documented_onesignal
from tests.services import fresh_postgres_database, fresh_redis_namespace

LIMIT = 5  # requests a second, as the stand-in counts them on arrival


def up(worker: Service) -> bool:
    return "prorata worker:" in worker.log.read_text()


def test_two_worker_processes_keep_to_one_rate_limit(tmp_path: Path) -> None:
    with documented_onesignal(limit=LIMIT) as onesignal:
        onesignal.subscribe_all = True
        env = {
            "PRORATA_ONESIGNAL_APP_ID": APP_ID,
            "PRORATA_ONESIGNAL_API_KEY": APP_KEY,
            "PRORATA_ONESIGNAL_API_ROOT": onesignal.root,
            "PRORATA_ONESIGNAL_MAX_RPS": str(LIMIT),
        }
        with fresh_postgres_database() as database, fresh_redis_namespace() as (broker, namespace):
            env |= {
                "PRORATA_DATA_DIR": str(tmp_path / "var"),
                "PRORATA_DATABASE_URL": database,
                "PRORATA_BROKER_URL": broker,
                "PRORATA_BROKER_NAMESPACE": namespace,
            }
            deployment = Production(env, tmp_path)
            deployment.parts.upgrade_database()
            workers = [deployment.start("worker", "--threads", "2") for _ in range(2)]
            for worker in workers:  # started together: each takes a few seconds to import and connect
                wait_until(partial(up, worker), 30, worker.tail)
            tenant, _ = deployment.tenant()
            parts = deployment.parts
            boss = Caller(create_app(parts).test_client(), key_for(parts, Role.MANAGER, tenant))
            community = boss.created("/v1/communities", {"code": "C0041", "name": "CP Mayor 41"})
            world = populated(boss, community)  # 3 residents with a push address, and 6 more occupants:
            for n, unit in enumerate(["1A", "1B", "Local"] * 2):
                holds = [{"unit_id": world.units[unit], "role": "occupant", "since": "2025-01-01"}]
                boss.created(
                    "/v1/residents", {"name": f"Vecino {n}", "external_id": f"v-{n}", "units": holds}
                )
            publish(boss, community["id"])  # 9 pushes queued at once

            def all_sent() -> bool:
                with parts.unit_of_work() as uow:
                    made = uow.notifications.list(tenant).items
                return len(made) == 9 and all(n.status is NotificationStatus.SENT for n in made)

            wait_until(all_sent, 30, deployment.logs)
            logs = [w.log.read_text() for w in workers]
            for worker in workers:
                worker.kill()  # their work is done; a graceful stop would only cost seconds
            deployment.parts.broker.close()
            deployment.parts.engine.dispose()
    arrivals = [round(seen.at * MICROS) for seen in onesignal.seen]
    assert len(arrivals) == 9, [(s.status, s.fault) for s in onesignal.seen]  # none refused, none asked again
    assert {s.status for s in onesignal.seen} == {200}
    assert most_in_a_second(arrivals) <= LIMIT
    assert all(": sent" in log for log in logs), "both processes pushed"
