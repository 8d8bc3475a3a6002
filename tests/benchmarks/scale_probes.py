"""What bench_scale watches while the workers import: each worker's memory (its own and its children's,
the calamine readers), the CPU of the deployment's PostgreSQL backends, and each import's stages."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from tests.e2e.production import Production, _children_of, _cpu_of_tree

# Production's intervals and leases, not the e2e tests' short ones (a lease of 3 s would hand a
# long import to another worker midway); the body limit raised for 40 MB exports over REST.
PRODUCTION = {
    "PRORATA_IMPORT_LEASE_SECONDS": "600",
    "PRORATA_SWEEP_SECONDS": "30",
    "PRORATA_RESEND_SECONDS": "120",
    "PRORATA_MAX_BODY_BYTES": str(64 * 1024 * 1024),
}


@dataclass
class Memory:
    """The peak memory of one worker process and its children."""

    pid: int
    own_peak: int = 0  # VmHWM of the worker process
    child_peak: int = 0  # the largest VmHWM of a child seen (each child's, last sampled alive)
    tree_peak: int = 0  # the largest sum of VmRSS over the process and its children at one sample
    tree_parts: tuple[int, ...] = ()  # that sample's VmRSS of the process, then of each child
    children: set[int] = field(default_factory=set)

    def sample(self) -> None:
        own = _status(self.pid)
        if not own:
            return
        self.own_peak = max(self.own_peak, own.get("VmHWM", 0))
        parts = [own.get("VmRSS", 0)]
        for child in _descendants(self.pid):
            status = _status(child)
            self.children.add(child)
            self.child_peak = max(self.child_peak, status.get("VmHWM", 0))
            parts.append(status.get("VmRSS", 0))
        if (total := sum(parts)) > self.tree_peak:
            self.tree_peak, self.tree_parts = total, tuple(parts)


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid` in bytes; empty once it has ended."""
    found = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) * 1024
    return found


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children_of(pid):
        found.append(int(child))
        found.extend(_descendants(int(child)))
    return found


class DatabaseCpu:
    """CPU seconds of the deployment's PostgreSQL backends (a backend's last figure is kept after it
    ends), and what its sessions were doing at each sample: running, waiting for a lock (contention
    between imports), for I/O or for the client (the worker's own work between statements)."""

    def __init__(self, deployment: Production) -> None:
        self.deployment = deployment
        self.backends: dict[int, float] = {}
        self.states: dict[str, int] = {}

    def sample(self) -> float:
        with self.deployment.parts.engine.connect() as connection:
            sessions = connection.execute(
                text(
                    "SELECT pid, state, wait_event_type FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
        for pid, state, waiting in sessions:
            self.backends[pid] = max(self.backends.get(pid, 0.0), _cpu_of_tree(pid))
            if state in ("active", "idle in transaction"):
                what = f"{state}: {waiting}" if waiting and state == "active" else state
                self.states[what] = self.states.get(what, 0) + 1
        return sum(self.backends.values())

    def share(self) -> str:
        """How the samples of sessions in a transaction were spread, in percent."""
        total = sum(self.states.values()) or 1
        ranked = sorted(self.states.items(), key=lambda item: -item[1])
        return ", ".join(f"{what} {count * 100 / total:.0f} %" for what, count in ranked)


class Stages:
    """When each import was first seen claimed (`parsing`), `validated` (parsed and understood) and
    ended, from its row's status polled every 0.2 s."""

    ENDED = frozenset({"settled", "failed", "awaiting_costs", "cancelled"})

    def __init__(self) -> None:
        self.seen: dict[str, dict[str, float]] = {}

    def poll(self, deployment: Production) -> int:
        """How many imports have ended."""
        now = time.monotonic()
        with deployment.parts.engine.connect() as connection:
            rows = connection.execute(text("SELECT id, status FROM imports")).all()
        for job_id, status in rows:
            marks = self.seen.setdefault(str(job_id), {})
            if status != "received":
                marks.setdefault("claimed", now)
            if status != "received" and status != "parsing":
                marks.setdefault("validated", now)
            if status in self.ENDED:
                marks.setdefault("ended", now)
        return sum("ended" in marks for marks in self.seen.values())

    def of(self, name: str, job_id: str, uploaded: float) -> tuple[str, float, float, float]:
        """The file's name and its seconds from its upload to claimed, validated and ended."""
        marks = self.seen[job_id]
        return name, marks["claimed"] - uploaded, marks["validated"] - uploaded, marks["ended"] - uploaded


class Sampler(threading.Thread):
    """Every 0.2 s the workers' memory; every 0.5 s the backends' CPU and sessions."""

    def __init__(self, memories: list[Memory], database: DatabaseCpu) -> None:
        super().__init__(daemon=True)
        self.memories = memories
        self.database = database
        self.stopping = threading.Event()

    def run(self) -> None:
        cpu = time.monotonic()
        while not self.stopping.wait(0.2):
            for memory in self.memories:
                memory.sample()
            if time.monotonic() - cpu > 0.5:
                self.database.sample()
                cpu = time.monotonic()

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        for memory in self.memories:
            memory.sample()
