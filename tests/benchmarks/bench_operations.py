"""Benchmark: prorata as it runs in production, on PostgreSQL and RabbitMQ, with its processes started as an
operator starts them (`prorata sftp`, `watch`, `worker` ×2, `api`). Run with `make bench`; it prints, in
one run:

1. A 10,000-unit export dropped with OpenSSH's `sftp` until every resident's push is dispatched: the drop,
   the watcher's claim, the import (10,000 units, meters, readings; settled), a manager's publish over
   REST (10,000 receipts in one transaction), and one push per resident to a stand-in OneSignal on
   loopback (the pace set to PRORATA_ONESIGNAL_MAX_RPS=2000 — OneSignal's own limit is the account's).
   Goal: ≤ 60 s on this machine. The residents were registered beforehand (setup, not timed), with their
   push ids and tax ids; the file names the owners by tax id.
2. The load test's figures at a bigger size: residents reading receipts and managers uploading files,
   mixed, against `prorata api` under gunicorn (2 processes × 4 threads).

Needs PostgreSQL (PRORATA_TEST_POSTGRES_URL), RabbitMQ (PRORATA_TEST_RABBITMQ_URL, rabbitmqctl) and
OpenSSH's sftp client, as the e2e tests do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

from sqlalchemy import text

from prorata.application.dropzone import add_account
from prorata.domain.community.model import Language, Resident
from tests.e2e.conftest import free_port
from tests.e2e.production import Production, _cpu_of_tree, production_services, wait_until
from tests.e2e.test_run_processes import _listening
from tests.e2e.test_sftp_drop_zone import DropZone
from tests.fake_onesignal import API_KEY, APP_ID, fake_onesignal
from tests.integration.notification_world import onesignal_env
from tests.load import run_load
from tests.load_world import load_world, mixed_plan
from tests.production_files import community_workbook, owners

UNITS = int(os.environ.get("PRORATA_BENCH_UNITS", "10000"))
GOAL_SECONDS = 60
LOAD_REQUESTS = 3_000
LOAD_RATE = 100  # requests per second: 30 s
# Production's leases (the tests' short ones would hand a 10,000-unit import to a second worker midway).
PUSH = {
    "PRORATA_ONESIGNAL_MAX_RPS": "2000",
    "PRORATA_WORKER_THREADS": "4",
    "PRORATA_IMPORT_LEASE_SECONDS": "600",
    "PRORATA_SEND_LEASE_SECONDS": "60",
    "PRORATA_RESEND_SECONDS": "120",
}


def drop_to_pushes(deployment: Production, folder: Path) -> None:
    parts = deployment.parts
    tenant, key = deployment.tenant("Fincas Diez Mil")
    people = owners("B0001", UNITS)
    with parts.unit_of_work() as uow:  # registered by the management system beforehand: setup
        uow.residents.add_all(
            [
                Resident(
                    parts.ids.new(),
                    tenant,
                    o.name,
                    language=Language.ES,
                    external_id=f"app-{o.tax_id}",
                    tax_id=o.tax_id,
                )
                for o in people
            ]
        )
        uow.commit()
    export = folder / f"export-{UNITS}.xlsx"
    export.write_bytes(community_workbook("B0001", UNITS, amount=f"{UNITS * 50}.00"))
    zone = _drop_zone(deployment, tenant, folder)
    deployment.start("watch")
    for _ in range(2):
        deployment.worker(threads=4)
    api = deployment.api(workers=1)
    manager = api.client(key)
    size = export.stat().st_size / 1e6
    print(f"{UNITS:,}-unit file ({size:.1f} MB) dropped by sftp until every push is sent:")

    cpu = Cpu(deployment)
    started = time.monotonic()
    sent = zone.sftp(f"put {export} export.xlsx\n", user="bench", timeout=120)
    assert sent.returncode == 0, sent.stderr
    uploaded = time.monotonic()
    cpu.mark("upload")
    result = zone.home / "processed" / "export.xlsx.result.json"
    wait_until(result.exists, 300, deployment.logs, every=0.1)
    assert json.loads(result.read_text())["status"] == "settled", result.read_text()
    settled = time.monotonic()
    cpu.mark("import")
    [job] = manager.get("/v1/imports").json()
    [settlement] = manager.get(job["url"]).json()["settlements"]
    published = manager.post(f"/v1/settlements/{settlement['id']}/publish", timeout=300)
    assert published.status_code == 201, (published.text, deployment.logs())
    publish_done = time.monotonic()
    cpu.mark("publish")

    def pushed() -> bool:
        with parts.engine.connect() as connection:
            count = connection.execute(
                text("SELECT count(*) FROM notifications WHERE tenant_id = :t AND status = 'sent'"),
                {"t": tenant},
            ).scalar_one()
        return int(count) == UNITS

    wait_until(pushed, 600, deployment.logs, every=0.2)
    done = time.monotonic()
    cpu.mark("pushes")
    total = done - started
    rows = job["rows"]["total"]
    print("  stage                         wall   CPU: prorata processes + their PostgreSQL backends")
    print(f"  upload over sftp           {uploaded - started:6.1f} s   {cpu.of('upload')}")
    print(f"  claimed, imported, settled {settled - uploaded:6.1f} s   {cpu.of('import')}   ({rows:,} rows)")
    print(f"  published, {UNITS:,} receipts {publish_done - settled:6.1f} s   {cpu.of('publish')}")
    pushes = done - publish_done
    print(f"  every push sent            {pushes:6.1f} s   {cpu.of('pushes')}   ({UNITS / pushes:,.0f}/s)")
    verdict = "met" if total <= GOAL_SECONDS else "NOT met"
    print(
        f"  total                      {total:6.1f} s   {cpu.total()}   (goal ≤ {GOAL_SECONDS} s: {verdict})"
    )
    deployment.stop_all()


class Cpu:
    """CPU seconds used by the deployment's processes and its database's backends, stage by stage."""

    def __init__(self, deployment: Production) -> None:
        self.deployment = deployment
        self.backends: dict[int, float] = {}
        self.stages: dict[str, tuple[float, float]] = {}
        self.last = self.now()

    def now(self) -> tuple[float, float]:
        with self.deployment.parts.engine.connect() as connection:
            pids = connection.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).scalars()
            for pid in pids:  # a backend's last figure is kept after it ends
                self.backends[pid] = max(self.backends.get(pid, 0.0), _cpu_of_tree(pid))
        return self.deployment.cpu_seconds(), sum(self.backends.values())

    def mark(self, stage: str) -> None:
        now = self.now()
        self.stages[stage] = (now[0] - self.last[0], now[1] - self.last[1])
        self.last = now

    def of(self, stage: str) -> str:
        own, database = self.stages[stage]
        return f"{own:5.1f} + {database:4.1f} s"

    def total(self) -> str:
        own, database = (sum(figures) for figures in zip(*self.stages.values(), strict=True))
        return f"{own:5.1f} + {database:4.1f} s"


def _drop_zone(deployment: Production, tenant: str, folder: Path) -> DropZone:
    key = folder / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30)
    parts = deployment.parts
    with parts.unit_of_work() as uow:
        add_account(uow, parts.ids, parts.clock, tenant, "bench", None, Path(f"{key}.pub").read_text())
    home = parts.settings.drop_root / "bench"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = deployment.start("sftp", "--port", str(port))
    wait_until(lambda: _listening(port), 30, server.tail)
    return DropZone(port, deployment.env, parts.settings.drop_root, home, key, folder)


def load(deployment: Production) -> None:
    api = deployment.api(workers=2)
    world = load_world(deployment.parts, api.base, residents=50)
    plan = mixed_plan(world, LOAD_REQUESTS)
    figures = run_load(api.base, plan, LOAD_RATE, clients=16)
    print(f"load on prorata api (gunicorn, 2 processes × 4 threads, PostgreSQL): {figures.summary()}")
    assert figures.errors == [], figures.errors[:5]
    deployment.stop_all()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="prorata-bench-") as scratch, fake_onesignal() as fake:
        folder = Path(scratch)
        env = {**onesignal_env(fake.root, APP_ID, API_KEY), **PUSH}
        (folder / "drop").mkdir()
        with production_services(folder / "drop", **env) as deployment:
            drop_to_pushes(deployment, folder)
        assert len(fake.created) == UNITS, len(fake.created)
        (folder / "load").mkdir()
        with production_services(folder / "load") as deployment:
            load(deployment)


if __name__ == "__main__":
    main()
