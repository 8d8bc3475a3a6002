"""Benchmark: one import as a user meets it, against the same work's minimum measured in the same run.

A manager uploads a file over HTTP to `prorata api`; a `prorata worker` (one thread) on RabbitMQ and
PostgreSQL imports it. Timed from the upload's 202 until the job ended `settled`: its `finished_at`, as
GET /v1/imports/{id} shows it (polled four times a second). Each round runs in turns with its baseline: a
process that parses the same file (python-calamine, every sheet, for the XLSX; the csv module for the
CSV) and COPYs its reading rows, as numbers and dates, into a plain table of the same database. Goals
(issue 16): ≥ 50,000 reading rows/s; ≤ 3× the baseline.

Files (tests/benchmarks/portfolio_exports.py, made afresh from a seed):
- a community's XLSX of ROWS heat cost allocator readings (six a dwelling: ROWS / 6 dwellings), its
  heating bill and its dwellings (coefficient, area): the import creates the community, its dwellings and
  meters, stores two readings a meter (the previous as the opening one) and settles the bill;
- the same readings as a CSV (`;`, decimal comma); the community and its open heating settlement exist
  beforehand (setup, not timed), and the file's readings settle it;
- for memory, a metering company's whole portfolio: BIG_ROWS readings of BIG_COMMUNITIES communities in
  one XLSX (readings, costs, dwellings). The worker's peak memory during that import — its own VmHWM, its
  calamine children's, and the largest sum over the process and its children at one sample — against
  1 GB.

Each round is a new tenant (one job per tenant and file). Environment: PRORATA_BENCH_IMPORT_ROWS
(100000), PRORATA_BENCH_IMPORT_ROUNDS (3), PRORATA_BENCH_IMPORT_BIG_ROWS (500000, 0 to skip),
PRORATA_BENCH_IMPORT_COMMUNITIES (400). Needs PostgreSQL and RabbitMQ (rabbitmqctl), as the e2e tests do."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

import httpx
from sqlalchemy import text

from prorata.domain.community.model import Community
from prorata.domain.settlement.request import Period, Service
from prorata.domain.settlement.stored import Settlement
from tests.benchmarks.bench_operations import Cpu
from tests.benchmarks.portfolio_exports import PERIOD, drafts, portfolio, write_csv, write_xlsx
from tests.benchmarks.scale_probes import PRODUCTION, Memory
from tests.e2e.production import Api, Production, production_services, wait_until

ROWS = int(os.environ.get("PRORATA_BENCH_IMPORT_ROWS", "100000"))
ROUNDS = int(os.environ.get("PRORATA_BENCH_IMPORT_ROUNDS", "3"))
BIG_ROWS = int(os.environ.get("PRORATA_BENCH_IMPORT_BIG_ROWS", "500000"))
BIG_COMMUNITIES = int(os.environ.get("PRORATA_BENCH_IMPORT_COMMUNITIES", "400"))
GOAL_ROWS_PER_SECOND = 50_000
GOAL_RATIO = 3
GOAL_RSS_BYTES = 1_000_000_000
ENDED = {"settled", "failed", "awaiting_costs", "cancelled"}

# The same work's minimum: parse every sheet the import reads, COPY the reading rows as numbers and
# dates. Prints its own CPU seconds and its database backend's.
BASELINE = """
import csv, os, sys, resource
import psycopg
path, url = sys.argv[1], sys.argv[2]
if path.endswith(".xlsx"):
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(path)
    sheets = [book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names]
    rows = sheets[0][1:]
else:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    rows = [[c, n, u, m, k.replace(",", "."), p.replace(",", "."), q.replace(",", "."), d]
            for c, n, u, m, k, p, q, d in rows]
with psycopg.connect(url) as connection:
    backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    connection.execute("SET datestyle = 'ISO, DMY'")
    connection.execute("TRUNCATE bench_readings")
    with connection.cursor().copy(
        "COPY bench_readings (community, name, unit, meter, factor, previous, current, read_on) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
    connection.commit()
    fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
    database = sum(int(f) for f in fields[11:13]) / os.sysconf("SC_CLK_TCK")
own = resource.getrusage(resource.RUSAGE_SELF)
print(len(rows), own.ru_utime + own.ru_stime, database)
"""
PLAIN_TABLE = """CREATE TABLE IF NOT EXISTS bench_readings (
    community text, name text, unit text, meter text, factor numeric, previous numeric, current numeric,
    read_on date)"""


@dataclass(frozen=True, slots=True)
class Timed:
    seconds: float
    cpu: float  # the processes' own CPU seconds + their PostgreSQL backends'
    database: float  # of which the backends'


def write_inputs(folder: Path) -> None:
    community = portfolio(1, ROWS, 1)
    write_xlsx(community, folder / "lecturas.xlsx")
    write_csv(community, folder / "lecturas.csv")
    if BIG_ROWS:
        write_xlsx(portfolio(2, BIG_ROWS, BIG_COMMUNITIES), folder / "cartera.xlsx")


def baseline(path: Path, url: str) -> Timed:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", BASELINE, str(path), url], capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    rows, own, database = done.stdout.split()
    assert int(rows) == ROWS, done.stdout
    return Timed(took, float(own) + float(database), float(database))


def upload(deployment: Production, api: Api, path: Path, cpu: Cpu) -> tuple[Timed, dict[str, object]]:
    """A new tenant (with, for a CSV, the community and its open settlement) uploads `path`; the time
    from the 202 to `settled`."""
    tenant, key = deployment.tenant(f"Administración {time.monotonic_ns()}")
    if path.suffix == ".csv":
        _open_settlements(deployment, tenant)
    with api.client(key) as client, path.open("rb") as handle:
        cpu.mark("setup")
        answer = client.post("/v1/imports", files={"file": (path.name, handle)}, timeout=300)
        assert answer.status_code == 202, (answer.status_code, answer.text)
        accepted = datetime.now(UTC)
        location = answer.headers["Location"]
        # Polled a few times a second, and timed by the job's own end: polling more often would take
        # the CPU the import needs (50 GETs a second cost the API ≈ 0.25 s of CPU each second).
        job = wait_until(lambda: _ended(client, location), 3600, deployment.logs, every=0.25)
        took = (datetime.fromisoformat(str(job["finished_at"])) - accepted).total_seconds()
    cpu.mark("import")
    own, database = cpu.stages["import"]
    assert job["status"] == "settled", job
    return Timed(took, own + database, database), job


def _ended(client: httpx.Client, location: str) -> dict[str, object] | None:
    job: dict[str, object] = client.get(location).json()
    return job if job["status"] in ENDED else None


def _open_settlements(deployment: Production, tenant: str) -> None:
    """The community and its open heating settlement, as its administrator created them before the
    metering company's file came (setup: not timed)."""
    parts = deployment.parts
    start, end = (datetime.fromisoformat(day).date() for day in PERIOD)
    with parts.unit_of_work() as uow:
        for building, terms in drafts(portfolio(1, ROWS, 1)):
            community = Community(parts.ids.new(), tenant, building.code, building.name)
            uow.communities.add(community)
            settlement = Settlement(
                parts.ids.new(), tenant, community.id, Service.HEATING, Period(start, end), terms
            )
            uow.settlements.add(settlement)
            uow.emit(settlement.drafted())
        uow.commit()
    wait_until(lambda: _relayed(deployment), 120, deployment.logs, every=0.05)


def _relayed(deployment: Production) -> bool:
    with deployment.parts.engine.connect() as connection:
        pending = connection.execute(text("SELECT count(*) FROM outbox WHERE dispatched_at IS NULL"))
        return int(pending.scalar_one()) == 0


def bench_speed(deployment: Production, api: Api, path: Path) -> None:
    url = deployment.env["PRORATA_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    cpu = Cpu(deployment)
    upload(deployment, api, path, cpu), baseline(path, url)  # warm-up
    pairs = [(upload(deployment, api, path, cpu)[0], baseline(path, url)) for _ in range(ROUNDS)]
    imported = statistics.median(a.seconds for a, _ in pairs)
    base = statistics.median(b.seconds for _, b in pairs)
    ratio = statistics.median(a.seconds / b.seconds for a, b in pairs)
    cpu_ratio = statistics.median(a.cpu / b.cpu for a, b in pairs)
    speed = ROWS / imported
    print(
        f"  {path.suffix[1:].upper()}: upload → settled {imported:5.2f} s ({speed:7,.0f} reading rows/s;"
        f" goal ≥ {GOAL_ROWS_PER_SECOND:,}: {_verdict(speed >= GOAL_ROWS_PER_SECOND)}), CPU"
        f" {statistics.median(a.cpu for a, _ in pairs):5.2f} s (PostgreSQL"
        f" {statistics.median(a.database for a, _ in pairs):4.2f}) | baseline {base:5.2f} s, CPU"
        f" {statistics.median(b.cpu for _, b in pairs):4.2f} s | ratio {ratio:4.2f} (goal ≤ {GOAL_RATIO}:"
        f" {_verdict(ratio <= GOAL_RATIO)}), CPU ratio {cpu_ratio:4.2f}"
    )


def bench_memory(deployment: Production, api: Api, path: Path) -> None:
    worker = deployment.worker(threads=1)
    memory = Memory(worker.process.pid)
    stopping = threading.Event()

    def sample_until_stopped() -> None:
        while not stopping.wait(0.1):
            memory.sample()

    sampler = threading.Thread(target=sample_until_stopped, daemon=True)
    sampler.start()
    cpu = Cpu(deployment)
    timed, job = upload(deployment, api, path, cpu)
    stopping.set()
    sampler.join()
    memory.sample()
    rows = job["rows"]
    assert isinstance(rows, dict)
    verdict = _verdict(memory.tree_peak <= GOAL_RSS_BYTES)
    print(
        f"  portfolio XLSX, {BIG_ROWS:,} readings of {BIG_COMMUNITIES} communities ({rows['total']:,} rows in"
        f" all): {timed.seconds:5.1f} s ({BIG_ROWS / timed.seconds:7,.0f} reading rows/s), CPU"
        f" {timed.cpu:5.1f} s | worker peak RSS {memory.own_peak / 2**20:4.0f} MiB (VmHWM), its children up"
        f" to {memory.child_peak / 2**20:4.0f} MiB each, process + children at once"
        f" {memory.tree_peak / 2**20:4.0f} MiB (goal ≤ 1 GB: {verdict})"
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="prorata-bench-import-") as scratch:
        folder = Path(scratch)
        started = time.monotonic()
        # Made in a process of their own: this one stays small, and so do the processes it starts.
        subprocess.run([sys.executable, __file__, "--inputs", scratch], check=True)
        made = time.monotonic() - started
        print(
            f"import: {ROWS:,} readings of one community, uploaded over HTTP to `prorata api`, imported by"
            f" `prorata worker` (1 thread) on PostgreSQL + RabbitMQ, until settled; {ROUNDS} rounds in turns"
            f" with the baseline after a warm-up, medians (inputs written in {made:.0f} s; load"
            f" {os.getloadavg()[0]:.1f})"
        )
        with production_services(folder, **PRODUCTION) as deployment:
            with deployment.parts.engine.begin() as connection:
                connection.execute(text(PLAIN_TABLE))
            deployment.worker(threads=1)
            api = deployment.api(workers=1)
            bench_speed(deployment, api, folder / "lecturas.xlsx")
            bench_speed(deployment, api, folder / "lecturas.csv")
            if BIG_ROWS:
                for service in deployment.services:
                    if service.name == "worker":
                        service.stop()  # a fresh worker: its peak is this import's
                bench_memory(deployment, api, folder / "cartera.xlsx")
        print(f"  load average after: {os.getloadavg()[0]:.1f}; worker CPU includes its calamine children")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inputs"]:
        write_inputs(Path(sys.argv[2]))
    else:
        main()
