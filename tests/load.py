"""A bounded load on loopback: a fixed number of requests sent on a fixed schedule (request i is due at
i / rate seconds), by a few client threads each keeping its HTTP connection open, against `prorata api`.
Latency is each request's own, from when it was sent to its last byte; the schedule's lag (how late the
last request left) says whether the server kept up. The figures: throughput, p50, p99, errors.

Shared by the e2e load test (small, in `make test`) and `make bench` (bigger)."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

# One kind of request: a name, the key it is sent with, and what it does with a client.
Send = Callable[[httpx.Client], httpx.Response]


@dataclass(frozen=True)
class Kind:
    name: str
    key: str
    send: Send
    expected: int = 200


@dataclass
class Figures:
    requests: int
    seconds: float
    latencies: dict[str, list[float]]
    errors: list[str] = field(default_factory=list)
    lag: float = 0.0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float, kind: str | None = None) -> float:
        values = sorted(self.latencies[kind] if kind else itertools.chain(*self.latencies.values()))
        if len(values) < 2:
            return values[0] if values else 0.0
        return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]

    def summary(self) -> str:
        lines = [
            f"{self.requests} requests in {self.seconds:.1f} s: {self.throughput:.0f} requests/s, "
            f"p50 {self.percentile(50) * 1000:.0f} ms, p99 {self.percentile(99) * 1000:.0f} ms, "
            f"{len(self.errors)} errors, schedule lag {self.lag * 1000:.0f} ms"
        ]
        for kind, values in sorted(self.latencies.items()):
            lines.append(
                f"  {kind}: {len(values)}, p50 {self.percentile(50, kind) * 1000:.0f} ms, "
                f"p99 {self.percentile(99, kind) * 1000:.0f} ms"
            )
        return "\n".join(lines)


def run_load(base: str, plan: Sequence[Kind], rate: float, clients: int = 8) -> Figures:
    """Send `plan` (one Kind per request, in order) at `rate` requests per second."""
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    next_index = itertools.count()
    start = time.monotonic() + 0.05
    lag = [0.0]

    def client_thread() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while (i := next(next_index)) < len(plan):
                kind = plan[i]
                due = start + i / rate
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                client.headers["Authorization"] = f"Bearer {kind.key}"
                sent = time.monotonic()
                try:
                    answer = kind.send(client)
                    took = time.monotonic() - sent
                    problem = (
                        None
                        if answer.status_code == kind.expected
                        else f"{answer.status_code} {answer.text[:200]}"
                    )
                except httpx.HTTPError as error:
                    took, problem = time.monotonic() - sent, f"{type(error).__name__}: {error}"
                with lock:
                    latencies.setdefault(kind.name, []).append(took)
                    lag[0] = max(lag[0], sent - due)
                    if problem:
                        errors.append(f"{kind.name}: {problem}")

    threads = [threading.Thread(target=client_thread, name=f"load-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Figures(len(plan), time.monotonic() - start, latencies, errors, lag[0])
