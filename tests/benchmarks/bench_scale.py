"""Benchmark: scale-out of imports (issue 16). 20 metering-company portfolio exports of 500,000 allocator
readings each (400 communities a file; tests/benchmarks/portfolio_exports.py) uploaded over HTTP
(POST /v1/imports) to `prorata api` and imported by `prorata worker` processes on RabbitMQ and
PostgreSQL, as an operator runs them: once with one worker, once with two (the same files; a fresh
database and vhost each), timed from the first upload answered 202 until every import is `settled`.

Prints each run's wall time and reading rows/s, the speed-up (goal ≥ 1.7×), each worker's peak memory
(its own VmHWM, its calamine children's, and the largest sum over the process and its children sampled
at one moment; goal ≤ 1 GB), the CPU the workers, the API and the PostgreSQL backends used — on a shared
machine the figure other work does not inflate — and each file's stages.

The files: even-numbered CSV (`;`, decimal comma; readings only — the communities and their open heating
settlements exist beforehand, created by the administrator: setup, not timed — and the readings attach
to them), odd-numbered XLSX (readings, costs and dwellings sheets: the file creates its communities and
dwellings and settles them by itself). Every file goes to one tenant: an administrator's whole portfolio.

Settings (environment): PRORATA_BENCH_SCALE_FILES (20), _ROWS (500000 readings a file), _COMMUNITIES (400
a file), _THREADS (worker threads per process, the same in both runs: 1 — an import holds the GIL, and a
second thread in the process would only hold a second file's memory), _TENANTS (1; files go to them in
turn), _FORMAT (mixed, csv or xlsx), _WORKERS ("1,2"). A dev run: FILES=5 ROWS=100000. Needs PostgreSQL
and RabbitMQ (rabbitmqctl), as the e2e tests do."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

from sqlalchemy import text

from prorata.domain.community.model import Community
from prorata.domain.settlement.request import Period, Service
from prorata.domain.settlement.stored import Settlement
from tests.benchmarks.portfolio_exports import PERIOD, Portfolio, drafts, portfolio, write_csv, write_xlsx
from tests.benchmarks.scale_probes import PRODUCTION, DatabaseCpu, Memory, Sampler, Stages
from tests.e2e.production import Api, Production, _cpu_of_tree, production_services, wait_until
from tests.e2e.production import Service as Process

FILES = int(os.environ.get("PRORATA_BENCH_SCALE_FILES", "20"))
ROWS = int(os.environ.get("PRORATA_BENCH_SCALE_ROWS", "500000"))
COMMUNITIES = int(os.environ.get("PRORATA_BENCH_SCALE_COMMUNITIES", "400"))
THREADS = int(os.environ.get("PRORATA_BENCH_SCALE_THREADS", "1"))
TENANTS = int(os.environ.get("PRORATA_BENCH_SCALE_TENANTS", "1"))
FORMAT = os.environ.get("PRORATA_BENCH_SCALE_FORMAT", "mixed")
WORKERS = tuple(int(n) for n in os.environ.get("PRORATA_BENCH_SCALE_WORKERS", "1,2").split(","))
GOAL_SPEEDUP = 1.7
GOAL_RSS_BYTES = 1_000_000_000


@dataclass
class Export:
    path: Path
    portfolio: Portfolio
    tenant: int  # which of the run's tenants it goes to

    @property
    def is_csv(self) -> bool:
        return self.path.suffix == ".csv"


def write_exports(folder: Path) -> list[Export]:
    made = []
    for number in range(FILES):
        book = portfolio(number, ROWS, COMMUNITIES)
        as_csv = FORMAT == "csv" or (FORMAT == "mixed" and number % 2 == 0)
        path = folder / f"lecturas-{number:02d}.{'csv' if as_csv else 'xlsx'}"
        (write_csv if as_csv else write_xlsx)(book, path)
        made.append(Export(path, book, number % TENANTS))
    return made


@dataclass
class Run:
    workers: int
    wall: float
    rows: int
    statuses: dict[str, int]
    memories: list[Memory]
    worker_cpu: float
    other_cpu: float  # the API (gunicorn and its worker)
    database_cpu: float
    sessions: str  # what the database's sessions in a transaction were doing, sampled
    stages: list[tuple[str, float, float, float]]  # file, seconds from upload to claimed, validated, ended


def run_with(workers: int, exports: list[Export], folder: Path) -> Run:
    with production_services(folder, **PRODUCTION) as deployment:
        tenants = [deployment.tenant(f"Administración {n + 1}") for n in range(TENANTS)]
        _register_csv_communities(deployment, exports, [tenant for tenant, _ in tenants])
        started = [deployment.worker(threads=THREADS) for _ in range(workers)]
        api = deployment.api(workers=1)
        _wait_for_outbox(deployment)  # the drafts' events, relayed before the clock starts
        database = DatabaseCpu(deployment)
        sampler = Sampler([Memory(p.process.pid) for p in started], database)
        before = (_tree_cpu(started), deployment.cpu_seconds(), database.sample())
        sampler.start()
        try:
            uploaded, stages = _upload_and_wait(deployment, api, [key for _, key in tenants], exports)
        finally:
            sampler.stop()
        wall = max(s["ended"] for s in stages.seen.values()) - min(uploaded.values())
        worker_cpu = _tree_cpu(started) - before[0]
        other_cpu = deployment.cpu_seconds() - before[1] - worker_cpu
        database_cpu = database.sample() - before[2]
        statuses, rows, names = _outcomes(deployment)
        return Run(
            workers,
            wall,
            rows,
            statuses,
            sampler.memories,
            worker_cpu,
            other_cpu,
            database_cpu,
            database.share(),
            sorted(stages.of(names[j], j, at) for j, at in uploaded.items()),
        )


def _upload_and_wait(
    deployment: Production, api: Api, keys: list[str], exports: list[Export]
) -> tuple[dict[str, float], Stages]:
    """Each file uploaded in turn (when each was answered 202, by import), then every import watched
    until it ended."""
    clients = [api.client(key) for key in keys]
    uploaded: dict[str, float] = {}
    for export in exports:
        with export.path.open("rb") as handle:
            answer = clients[export.tenant].post(
                "/v1/imports", files={"file": (export.path.name, handle)}, timeout=300
            )
        assert answer.status_code == 202, (answer.status_code, answer.text)
        uploaded[answer.json()["id"]] = time.monotonic()
    stages = Stages()
    wait_until(lambda: stages.poll(deployment) == len(exports), 6 * 3600, deployment.logs, every=0.2)
    return uploaded, stages


def _register_csv_communities(deployment: Production, exports: list[Export], tenants: list[str]) -> None:
    """The communities of the CSV portfolios and their open heating settlements, as the administrator
    created them before the metering company's file came (setup: not timed)."""
    parts = deployment.parts
    start, end = (datetime.fromisoformat(day).date() for day in PERIOD)
    for export in exports:
        if not export.is_csv:
            continue
        tenant = tenants[export.tenant]
        with parts.unit_of_work() as uow:
            for building, terms in drafts(export.portfolio):
                community = Community(parts.ids.new(), tenant, building.code, building.name)
                uow.communities.add(community)
                settlement = Settlement(
                    parts.ids.new(), tenant, community.id, Service.HEATING, Period(start, end), terms
                )
                uow.settlements.add(settlement)
                uow.emit(settlement.drafted())
            uow.commit()


def _wait_for_outbox(deployment: Production) -> None:
    def relayed() -> bool:
        with deployment.parts.engine.connect() as connection:
            pending = connection.execute(
                text("SELECT count(*) FROM outbox WHERE dispatched_at IS NULL")
            ).scalar_one()
        return int(pending) == 0

    wait_until(relayed, 600, deployment.logs, every=0.5)


def _outcomes(deployment: Production) -> tuple[dict[str, int], int, dict[str, str]]:
    """How many imports ended in each status, their rows in all, their files' names by import."""
    statuses: dict[str, int] = {}
    names: dict[str, str] = {}
    rows = 0
    with deployment.parts.engine.connect() as connection:
        found = connection.execute(
            text("SELECT id, original_name, status, rows_total, reason FROM imports ORDER BY original_name")
        ).all()
    for job_id, name, status, total, reason in found:
        statuses[status] = statuses.get(status, 0) + 1
        names[str(job_id)] = str(name)
        rows += int(total)
        if status != "settled":
            print(f"    {name} {status}: {str(reason)[:300]}")
    return statuses, rows, names


def _tree_cpu(processes: list[Process]) -> float:
    return sum(_cpu_of_tree(p.process.pid) for p in processes)


def report(run: Run) -> None:
    states = ", ".join(f"{count} {status}" for status, count in sorted(run.statuses.items()))
    busy = (run.worker_cpu + run.other_cpu + run.database_cpu) / run.wall
    print(
        f"  {run.workers} worker(s) × {THREADS} thread(s): {run.wall:7.1f} s, "
        f"{run.rows / run.wall:7,.0f} reading rows/s ({states})"
    )
    print(
        f"    CPU: workers with their children {run.worker_cpu:6.1f} s, PostgreSQL backends "
        f"{run.database_cpu:6.1f} s, api {run.other_cpu:4.1f} s: {busy:4.2f} cores busy on average"
    )
    print(f"    database sessions in a transaction, sampled: {run.sessions}")
    for number, memory in enumerate(run.memories, start=1):
        verdict = "met" if memory.tree_peak <= GOAL_RSS_BYTES else "NOT met"
        print(
            f"    worker {number}: peak RSS {memory.own_peak / 2**20:5.0f} MiB (VmHWM); its children up to "
            f"{memory.child_peak / 2**20:4.0f} MiB each ({len(memory.children)} seen); process and children "
            f"at once {memory.tree_peak / 2**20:5.0f} MiB (goal ≤ 1 GB: {verdict}; then {_parts(memory)})"
        )
    print("    each file, seconds from its upload to claimed / validated / ended:")
    for name, claimed, validated, ended in run.stages:
        print(f"      {name:18} {claimed:7.1f} {validated:7.1f} {ended:7.1f}")


def _parts(memory: Memory) -> str:
    """What the largest sample of the process and its children at once was made of."""
    own, *children = memory.tree_parts or (0,)
    held = " + ".join(f"{c / 2**20:.0f}" for c in children) or "none"
    return f"the worker {own / 2**20:.0f} MiB, children {held}"


def main() -> None:
    # Stopped (SIGTERM): the processes started are stopped, the database and vhost dropped, on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="prorata-bench-scale-") as scratch:
        folder = Path(scratch)
        started = time.monotonic()
        exports = write_exports(folder)
        size = sum(e.path.stat().st_size for e in exports) / 1e6
        kinds = "/".join(sorted({e.path.suffix[1:] for e in exports}))
        print(
            f"scale-out: {FILES} portfolio exports × {ROWS:,} readings, {COMMUNITIES} communities each "
            f"({kinds}, {size:.0f} MB, written in {time.monotonic() - started:.0f} s), {TENANTS} tenant(s); "
            f"uploaded over HTTP until every import ended; load average {os.getloadavg()[0]:.1f}"
        )
        runs = []
        for workers in WORKERS:
            (folder / f"run-{workers}").mkdir()
            runs.append(run_with(workers, exports, folder / f"run-{workers}"))
            report(runs[-1])
        if len(runs) >= 2:
            speedup = runs[0].wall / runs[-1].wall
            verdict = "met" if speedup >= GOAL_SPEEDUP else "NOT met"
            print(
                f"  speed-up, {runs[-1].workers} workers against {runs[0].workers}: {speedup:.2f}× "
                f"(goal ≥ {GOAL_SPEEDUP}×: {verdict}); load average now {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()
