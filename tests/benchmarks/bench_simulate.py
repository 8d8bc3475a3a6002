"""Benchmark: `prorata simulate` and `POST /v1/simulations` as a user runs them, each against its baseline
measured in the same run, in turns (A B A B …), so that whatever slows this shared machine slows both.

- `prorata simulate REQ.json --readings big.xlsx|big.csv --format json > out.json`, a process with its
  output written, against a process that starts Python, loads the request with `json.load` and reads the
  sheet with python-calamine (the csv module for the CSV). Goals: ≤ 3×, peak RSS ≤ 200 MB.
- `POST /v1/simulations` with the same units and their readings in the body, over HTTP to a running
  `prorata api`, against `json.loads` of the request body plus `json.dumps` of the response's value in
  one Python process. Goal: ≤ 3×.

Every command's start-up (`prorata --help` and `prorata simulate --help` among them) is bench_startup's.

Run with `make bench`; the inputs are made afresh from a seed (UNITS units)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

from tests.benchmarks.simulate_inputs import inputs_in, write_inputs

UNITS = int(os.environ.get("PRORATA_BENCH_UNITS", "50000"))
ROUNDS = 5
PRORATA = str(Path(sys.executable).parent / "prorata")

BASELINE_XLSX = """
import json, sys
from python_calamine import CalamineWorkbook
with open(sys.argv[1], "rb") as request:
    json.load(request)
CalamineWorkbook.from_path(sys.argv[2]).get_sheet_by_index(0).to_python()
"""
BASELINE_CSV = """
import csv, json, sys
with open(sys.argv[1], "rb") as request:
    json.load(request)
with open(sys.argv[2], encoding="utf-8", newline="") as sheet:
    for _ in csv.reader(sheet, delimiter=";"):
        pass
"""


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_mib: float
    cpu: float = 0.0  # user + sys seconds, children included: a busy machine's wall time wanders more


def run(command: Sequence[str], output: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """One whole process: its wall time, its CPU time (user + sys, children included) and the peak RSS of
    its largest process (children included)."""
    with Path(output or os.devnull).open("wb") as out, tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)  # reaped here, for its resource usage
        took = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        assert process.returncode == 0, (command, errors.read().decode())
    return Run(took, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def in_turns(first: Callable[[], Run], second: Callable[[], Run]) -> tuple[list[Run], list[Run], list[float]]:
    """Both, one warm-up each, then ROUNDS rounds in turns; with the ratio first / second of each round."""
    first(), second()
    pairs = [(first(), second()) for _ in range(ROUNDS)]
    return [a for a, _ in pairs], [b for _, b in pairs], [a.seconds / b.seconds for a, b in pairs]


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def bench_simulate(folder: Path, request: Path, name: str, sheet: Path, baseline: str) -> None:
    out = folder / f"out-{name}.json"
    command = [PRORATA, "simulate", str(request), "--readings", str(sheet), "--format", "json"]
    simulated, base, ratios = in_turns(
        lambda: run(command, out), lambda: run([sys.executable, "-c", baseline, str(request), str(sheet)])
    )
    assert receipts_in(out) == UNITS, "every unit has its receipt"
    ratio, peak = statistics.median(ratios), max(r.peak_mib for r in simulated)
    cpu = statistics.median(a.cpu / b.cpu for a, b in zip(simulated, base, strict=True))
    print(
        f"  {name}: `prorata simulate … --format json > out.json` {median(simulated):5.2f} s "
        f"(CPU {statistics.median(r.cpu for r in simulated):4.2f} s), peak {peak:4.0f} MiB "
        f"({out.stat().st_size / 1e6:.0f} MB out) | baseline {median(base):5.2f} s "
        f"(CPU {statistics.median(r.cpu for r in base):4.2f} s) | ratio {ratio:4.2f}, CPU {cpu:4.2f} "
        f"(goal ≤ 3: {verdict(ratio <= 3)}; peak ≤ 200 MiB: {verdict(peak <= 200)})"
    )


def receipts_in(path: Path) -> int:
    """Counted in a process of its own: loaded here, the result would make this process large, and a
    process started from it counts this one's pages in its peak until it runs its own program."""
    script = "import json, sys; print(len(json.load(open(sys.argv[1], 'rb'))['receipts']))"
    return int(
        subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, check=True).stdout
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prorata_json(env: dict[str, str], *args: str) -> dict[str, str]:
    done = subprocess.run([PRORATA, *args, "--json"], env=env, capture_output=True, check=True, text=True)
    return dict(json.loads(done.stdout))


def bench_api(folder: Path, request: Path) -> None:
    env = {**os.environ, "PRORATA_DATA_DIR": str(folder / "var"), "PRORATA_MAX_BODY_BYTES": str(64 << 20)}
    env.pop("PRORATA_DATABASE_URL", None)
    subprocess.run([PRORATA, "db", "upgrade"], env=env, check=True, capture_output=True)
    tenant = prorata_json(env, "tenants", "create", "Bench")["id"]
    key = prorata_json(env, "keys", "create", "--tenant", tenant, "--role", "manager")["key"]
    port = free_port()
    api = subprocess.Popen(
        [PRORATA, "api", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    body = request.read_bytes()
    answer = b""

    def post() -> Run:
        nonlocal answer
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start = time.perf_counter()
        connection.request(
            "POST",
            "/v1/simulations",
            body=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        answer = response.read()
        took = time.perf_counter() - start
        connection.close()
        assert response.status == 200, answer[:500]
        return Run(took, 0)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert api.poll() is None, "prorata api ended"
                assert time.monotonic() < deadline, "prorata api did not listen within 30 s"
                time.sleep(0.2)
        post()
        value = json.loads(answer)

        def baseline() -> Run:
            start = time.perf_counter()
            json.loads(body)
            json.dumps(value)
            return Run(time.perf_counter() - start, 0)

        posted, base, ratios = in_turns(post, baseline)
    finally:
        api.terminate()
        api.wait(timeout=30)
    ratio = statistics.median(ratios)
    print(
        f"  `POST /v1/simulations` to `prorata api` ({len(body) / 1e6:.1f} MB in, {len(answer) / 1e6:.0f} MB "
        f"out): {median(posted):5.2f} s | baseline json.loads + json.dumps {median(base):5.2f} s | "
        f"ratio {ratio:4.2f} (goal ≤ 3: {verdict(ratio <= 3)})"
    )


def main() -> None:
    assert shutil.which(PRORATA), "run `make install` first"
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        # Made in a process of its own, for the reason `receipts_in` says.
        subprocess.run([sys.executable, __file__, "--inputs", name], check=True)
        inputs = inputs_in(folder)
        print(f"{UNITS:,} units; medians of {ROUNDS} runs in turns with their baseline, after a warm-up")
        bench_simulate(folder, inputs.request, "XLSX", inputs.xlsx, BASELINE_XLSX)
        bench_simulate(folder, inputs.request, "CSV", inputs.csv, BASELINE_CSV)
        bench_api(folder, inputs.request_with_readings)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inputs"]:
        write_inputs(Path(sys.argv[2]), UNITS)
    else:
        main()
