"""Hostile files through `prorata simulate --readings`, the installed command as a process: it answers
with exit 0 (a result) or 2 (the errors, as the contract's JSON), never a traceback, a crash or a hang,
and the process that reads the file stays within bounded memory (its calamine children have limits of
their own)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.budget import sample
from tests.hostile.harness import judge
from tests.hostile.mutations import KINDS, REQUEST, Hostile

TIMEOUT = 120  # the calamine children's own limit (FileLimits.child_seconds): a hang beyond it is ours
# The command's own peak resident memory: the interpreter (~70 MB) and what it holds of a file, which
# the reader bounds by its 256 MiB budget of decoded cells (PRORATA_MAX_DECODED_BYTES).
MEMORY_BOUND = 320 * 1024 * 1024


@dataclass(frozen=True)
class Run:
    file: Hostile
    code: int | None
    stdout: str
    stderr: str
    peak: int = 0

    def wrong(self) -> str | None:
        if self.code is None:
            return f"{self.file.name}: still running after {TIMEOUT} s"
        if self.peak > MEMORY_BOUND:
            return f"{self.file.name}: held {self.peak // 2**20} MiB"
        if self.code not in (0, 2):
            return f"{self.file.name}: exit {self.code}: {self.stderr[-500:]}"
        if "Traceback" in self.stderr:
            return f"{self.file.name}: a traceback: {self.stderr[-500:]}"
        try:
            answer = json.loads(self.stdout)
        except ValueError:
            return f"{self.file.name}: not JSON on stdout: {self.stdout[:200]!r}"
        if (self.code == 2) != ("errors" in answer):
            return f"{self.file.name}: exit {self.code} with {self.stdout[:200]!r}"
        return None


def _simulate(hostile: Hostile, folder: Path) -> Run:
    path = folder / hostile.name
    path.write_bytes(hostile.content)
    command = shutil.which("prorata", path=str(Path(sys.executable).parent))
    assert command, "the prorata command is not installed next to this Python; run `make install`"
    with subprocess.Popen(
        [command, "simulate", str(REQUEST), "--readings", str(path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env={**os.environ, "PRORATA_DATA_DIR": str(folder / "var")},
    ) as process:
        peak, deadline = 0, time.monotonic() + TIMEOUT
        while True:
            peak = max(peak, _peak_memory(process.pid))
            try:
                stdout, stderr = process.communicate(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    process.kill()
                    process.communicate()
                    return Run(hostile, None, "", "", peak)
    path.unlink()
    return Run(hostile, process.returncode, stdout, stderr, peak)


def _peak_memory(pid: int) -> int:
    """The process's own peak resident memory so far (VmHWM: its children are not counted)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


@pytest.fixture(scope="module")
def runs(
    hostile_files: tuple[Hostile, ...], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[Run]]:
    folder = tmp_path_factory.mktemp("simulate")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        done = list(pool.map(lambda hostile: _simulate(hostile, folder), sample(hostile_files)))
    by_kind = defaultdict(list)
    for run in done:
        by_kind[run.file.kind].append(run)
    return by_kind


@pytest.mark.parametrize("kind", KINDS)
def test_simulate_exits_0_or_2_with_json(
    runs: dict[str, list[Run]], kind: str, request: pytest.FixtureRequest
) -> None:
    assert runs[kind], f"no {kind} file was run"
    judge(request, [w for run in runs[kind] if (w := run.wrong())])
