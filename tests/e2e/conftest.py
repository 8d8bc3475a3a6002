from __future__ import annotations

import json
import locale
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prorata() -> str:
    found = shutil.which("prorata", path=str(Path(sys.executable).parent))
    assert found, "the prorata command is not installed next to this Python; run `make install`"
    return found


# One warm process per test process: it imports what every command imports (the composition root, the
# CLI; ≈ 1.2 s of CPU, most of a short command's run), then forks a child per command that runs the CLI as
# the `prorata` script does, in a process group of its own, with the command's environment, stdin, stdout
# and stderr, and exits as the interpreter would (non-daemon threads joined, atexit handlers run).
# PRORATA_TEST_COLD_CLI=1 runs each command as a new `prorata` process instead.
# What a forked child does with one command (`job`: args, env, stdout, stderr, and stdin when given): the
# CLI as the `prorata` script runs it, in a process group of its own, exiting as the interpreter would
# (non-daemon threads joined, atexit handlers run). Shared by the warm process below and warm_cli.py.
CHILD_RUNS_A_COMMAND = """
import atexit, os, sys, threading, traceback
from prorata.entrypoints.cli.main import main


def run_command(job):
    os.setpgid(0, 0)  # a command that starts processes of its own is stopped with them
    os.environ.clear()
    os.environ.update(job["env"])
    if "stdin" in job:
        os.dup2(os.open(job["stdin"], os.O_RDONLY), 0)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        os.dup2(os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
    code = 0
    try:
        main(job["args"], prog_name="prorata")
    except SystemExit as stopped:  # what the interpreter does with it
        if isinstance(stopped.code, str):
            print(stopped.code, file=sys.stderr)
        code = stopped.code if isinstance(stopped.code, int) else int(stopped.code is not None)
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        threading._shutdown()
        atexit._run_exitfuncs()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
"""

_WARM = (
    CHILD_RUNS_A_COMMAND
    + """
import json, signal, time
import prorata.config.bootstrap

requests, answers = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
devnull = os.open(os.devnull, os.O_RDWR)
os.dup2(devnull, 0)
os.dup2(devnull, 1)
for line in requests:
    job = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        requests.close()
        answers.close()
        run_command(job)
    deadline, code = time.monotonic() + job["limit"], None
    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.killpg(child, signal.SIGKILL)
            os.waitpid(child, 0)
            break
        time.sleep(0.005)
    answers.write(json.dumps(code) + "\\n")
    answers.flush()
"""
)


class _WarmCli:
    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.lock = threading.Lock()

    def run(self, args: list[str], env: dict[str, str], stdin: str | None, folder: Path, limit: float) -> Run:
        folder.mkdir(parents=True, exist_ok=True)
        encoding = locale.getpreferredencoding(False)  # what subprocess's text mode uses
        given = folder / "stdin"
        given.write_bytes((stdin or "").encode(encoding))
        out, err = folder / "stdout", folder / "stderr"
        job = {"args": args, "env": env, "stdin": str(given), "stdout": str(out), "stderr": str(err)}
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = subprocess.Popen(
                    [sys.executable, "-c", _WARM], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
            assert self.process.stdin is not None
            assert self.process.stdout is not None
            self.process.stdin.write(json.dumps({**job, "limit": limit}) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        assert answer, "the warm prorata process ended"
        code = json.loads(answer)
        if code is None:
            raise subprocess.TimeoutExpired([_prorata(), *args], limit)
        return Run(code, out.read_text(encoding), err.read_text(encoding))

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def _warm_cli() -> Iterator[_WarmCli]:
    warm = _WarmCli()
    yield warm
    warm.close()


@pytest.fixture
def prorata(tmp_path: Path, _warm_cli: _WarmCli) -> Any:
    """Runs `prorata ARGS` as a user types it, each command a process of its own: forked from a warm
    process that has imported the CLI (PRORATA_TEST_COLD_CLI=1: the installed script, started cold)."""
    runs = iter(range(1_000_000))

    def run(*args: str | Path, env: dict[str, str] | None = None, stdin: str | None = None) -> Run:
        full = {**os.environ, "PRORATA_DATA_DIR": str(tmp_path / "var"), **(env or {})}
        if os.environ.get("PRORATA_TEST_COLD_CLI") != "1":
            folder = tmp_path / ".prorata-runs" / str(next(runs))
            return _warm_cli.run(list(map(str, args)), full, stdin, folder, 60)
        done = subprocess.run(
            [_prorata(), *map(str, args)],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=60,
            env=full,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    run.executable = _prorata()  # type: ignore[attr-defined]
    return run
