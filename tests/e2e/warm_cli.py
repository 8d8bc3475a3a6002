"""Many `prorata …` commands, each in a process of its own with its own environment, stdout, stderr and exit
status, for the price of one start: one Python process imports what the commands import (the composition
root: ≈ 1.2 s of CPU, most of a `prorata ready`'s start), then forks a child per command that runs the CLI
as the `prorata` script does (the modules a command imports before it fails: preloaded, else each child
imports them again). For tests of what many commands say when they cannot start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.conftest import CHILD_RUNS_A_COMMAND, Run

_EACH_IN_A_CHILD = (
    CHILD_RUNS_A_COMMAND
    + """
import json, signal, time
import importlib

jobs, limit = json.loads(sys.argv[1]), float(sys.argv[2])
for module in json.loads(sys.argv[3]):
    importlib.import_module(module)  # once, for every child
children = []
for job in jobs:
    child = os.fork()
    if child == 0:
        run_command(job)
    children.append(child)
deadline, codes = time.monotonic() + limit, {}
while len(codes) < len(children):
    for child in children:
        if child not in codes:
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                codes[child] = os.waitstatus_to_exitcode(status)
    if time.monotonic() > deadline:
        for child in set(children) - set(codes):
            os.killpg(child, signal.SIGKILL)  # still running: it started instead of refusing to
    time.sleep(0.02)
print(json.dumps([codes[child] for child in children]))
"""
)


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]
    env: dict[str, str]


def run_each(
    commands: list[Command],
    folder: Path,
    limit: float = 20,
    preload: tuple[str, ...] = ("prorata.config.bootstrap",),
) -> list[Run]:
    """Each command run as `prorata ARGS` with os.environ and its `env`, once the modules `preload` are
    imported; one still running after `limit` seconds is killed (its exit status then -9)."""
    jobs, folders = [], []
    for n, command in enumerate(commands):
        data = folder / f"command-{n}"
        data.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PRORATA_DATA_DIR": str(data / "var"), **command.env}
        out, err = str(data / "stdout"), str(data / "stderr")
        jobs.append({"args": list(command.args), "env": env, "stdout": out, "stderr": err})
        folders.append(data)
    done = subprocess.run(
        [sys.executable, "-c", _EACH_IN_A_CHILD, json.dumps(jobs), str(limit), json.dumps(preload)],
        capture_output=True,
        text=True,
        timeout=limit + 60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    codes = json.loads(done.stdout.splitlines()[-1])
    return [
        Run(code, (data / "stdout").read_text(), (data / "stderr").read_text())
        for code, data in zip(codes, folders, strict=True)
    ]
