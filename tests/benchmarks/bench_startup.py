"""Benchmark: how long each `prorata` command takes to start, as a whole process, in turns (A B A B …) with
`python -c pass` on the same interpreter in the same run, so that whatever slows this shared machine slows
both. Goal (issue 16): `prorata --help` and any command's start-up ≤ 0.25 s.

- `prorata … --help` of every command and subcommand (read from the command table): goal ≤ 0.25 s.
- Commands that work on the database, on a fresh SQLite one (`db upgrade` when already at head, `keys
  list`, `sftp-users list`, `tenants create`): goal ≤ 0.25 s too; they import SQLAlchemy and the tables.
- The serving commands on SQLite and the in-process broker: from exec to ready to serve (/health answering,
  the SSH banner, the log line saying it works). Reported; no goal.

Each process may cache its bytecode, as an installed image (compiled at install) and a checkout that ran
once do: PYTHONDONTWRITEBYTECODE is dropped for them, and the warm-up run writes the cache.

Run with `make bench` (PRORATA_BENCH_ROUNDS=5 rounds)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from prorata.entrypoints.cli.main import main as prorata_main

ROUNDS = int(os.environ.get("PRORATA_BENCH_ROUNDS", "5"))
SERVING_ROUNDS = 3
GOAL_SECONDS = 0.25
PRORATA = str(Path(sys.executable).parent / "prorata")
BASELINE = [sys.executable, "-c", "pass"]


@dataclass(frozen=True, slots=True)
class Run:
    wall: float
    cpu: float  # user + system of the process and the children it waited for


def run(command: Sequence[str], env: dict[str, str]) -> Run:
    """One whole process, to its exit."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    took = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, command
    return Run(took, usage.ru_utime + usage.ru_stime)


@dataclass(frozen=True, slots=True)
class Timed:
    runs: list[Run]
    baseline: list[Run]

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def ratio(self) -> float:
        return statistics.median(a.wall / b.wall for a, b in zip(self.runs, self.baseline, strict=True))


def in_turns(command: Sequence[str], env: dict[str, str], before: Callable[[], None] | None = None) -> Timed:
    """A warm-up of each, then ROUNDS rounds of the command and the baseline in turns."""
    pairs = []
    for _ in range(ROUNDS + 1):
        if before is not None:
            before()
        pairs.append((run(command, env), run(BASELINE, env)))
    return Timed([a for a, _ in pairs[1:]], [b for _, b in pairs[1:]])


def every_help() -> list[list[str]]:
    context = click.Context(prorata_main, info_name="prorata")
    found = [["--help"]]
    for name in prorata_main.list_commands(context):
        command = prorata_main.get_command(context, name)
        found.append([name, "--help"])
        if isinstance(command, click.Group):
            found += [[name, sub, "--help"] for sub in command.list_commands(context)]
    return found


def show(what: str, timed: Timed) -> bool:
    met = timed.wall <= GOAL_SECONDS
    cpu, base_cpu = (statistics.median(r.cpu for r in runs) for runs in (timed.runs, timed.baseline))
    base = statistics.median(r.wall for r in timed.baseline)
    print(
        f"  {what:<34} {timed.wall:6.3f} s (cpu {cpu:5.3f}) | baseline {base:5.3f} s (cpu {base_cpu:5.3f}) | "
        f"ratio {timed.ratio:4.1f} | ≤ {GOAL_SECONDS} s: {'met' if met else 'NOT MET'}"
    )
    return met


def bench_helps(env: dict[str, str]) -> list[bool]:
    print("`prorata … --help`:")
    return [show("prorata " + " ".join(args), in_turns([PRORATA, *args], env)) for args in every_help()]


def bench_database_commands(env: dict[str, str]) -> list[bool]:
    print("Commands on a SQLite database (it exists, at head):")
    subprocess.run([PRORATA, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([PRORATA, "tenants", "create", "Fincas Sol"], env=env, check=True, capture_output=True)
    commands = [["db", "upgrade"], ["keys", "list"], ["sftp-users", "list"], ["tenants", "create", "Fincas"]]
    return [show("prorata " + " ".join(args), in_turns([PRORATA, *args], env)) for args in commands]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def ssh_banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            return connection.recv(8).startswith(b"SSH-")
    except OSError:
        return False


def until_ready(command: Sequence[str], env: dict[str, str], ready: Callable[[str], bool]) -> float:
    """Seconds from exec to `ready(log so far)` holding; then the process is stopped as a supervisor
    stops it (SIGTERM) and waited for."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        while not ready("".join(lines)):
            assert process.poll() is None, f"{command} ended: {''.join(lines)[-2000:]}"
            assert time.perf_counter() - start < 60, f"{command} not ready in 60 s"
            time.sleep(0.005)
        return time.perf_counter() - start
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        reader.join(timeout=5)


def bench_serving(env: dict[str, str]) -> None:
    print(f"Serving commands, exec to ready (median of {SERVING_ROUNDS}; SQLite, in-process broker):")
    api, sftp, run_api, run_sftp = free_port(), free_port(), free_port(), free_port()
    checks: list[tuple[str, list[str], Callable[[str], bool]]] = [
        (
            "prorata api: GET /health answers",
            [PRORATA, "api", "--port", str(api), "--workers", "1"],
            lambda _: answers(f"http://127.0.0.1:{api}/health"),
        ),
        (
            "prorata run: GET /health answers",
            [PRORATA, "run", "--port", str(run_api), "--sftp-port", str(run_sftp)],
            lambda _: answers(f"http://127.0.0.1:{run_api}/health"),
        ),
        ("prorata sftp: SSH banner", [PRORATA, "sftp", "--port", str(sftp)], lambda _: ssh_banner(sftp)),
        ("prorata watch: its watching line", [PRORATA, "watch"], lambda log: "prorata watch:" in log),
        ("prorata worker: its working line", [PRORATA, "worker"], lambda log: "prorata worker:" in log),
    ]
    for what, command, ready in checks:
        took = [until_ready(command, env, ready) for _ in range(SERVING_ROUNDS + 1)][1:]
        print(f"  {what:<38} {statistics.median(took):6.3f} s  (min {min(took):5.3f}, max {max(took):5.3f})")


def main() -> None:
    assert shutil.which(PRORATA), "run `make install` first"
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PRORATA_DATA_DIR": folder, "PRORATA_DATABASE_URL": "", "PRORATA_BROKER_URL": ""}
        env |= {"PRORATA_LOG_FORMAT": "text"}
        print(
            f"Start-up, whole processes: medians of {ROUNDS} runs in turns with `python -c pass`, after a "
            f"warm-up (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        met = bench_helps(env) + bench_database_commands(env)
        print(f"  goal ≤ {GOAL_SECONDS} s: met by {sum(met)} of {len(met)} commands")
        bench_serving(env)
        print(f"(load average at the end {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
