from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
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


@pytest.fixture
def prorata(tmp_path: Path) -> Any:
    """Runs the installed `prorata` command the way a user types it."""

    def run(*args: str | Path, env: dict[str, str] | None = None, stdin: str | None = None) -> Run:
        done = subprocess.run(
            [_prorata(), *map(str, args)],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=60,
            env={**os.environ, "PRORATA_DATA_DIR": str(tmp_path / "var"), **(env or {})},
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    run.executable = _prorata()  # type: ignore[attr-defined]
    return run
