"""A hung `prorata watch` — its process alive, its loop stopped — is told by its heartbeat file: the
watcher touches it every pass, idle or not, and `prorata ready --heartbeat` (the container's healthcheck)
fails once the file is older than `--max-age`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

MAX_AGE = 2.0  # seconds: ten passes of the watcher's loop


def _next_beat(beat: Path, after: int, watch: subprocess.Popen[bytes], log: Path) -> int:
    """The heartbeat's mtime (ns) once it is later than `after`."""
    deadline = time.monotonic() + 30
    while True:
        assert watch.poll() is None, f"prorata watch exited {watch.returncode}: {log.read_text()[-2000:]}"
        try:
            found = beat.stat().st_mtime_ns
        except FileNotFoundError:
            found = 0
        if found > after:
            return found
        assert time.monotonic() < deadline, f"the heartbeat was not touched: {log.read_text()[-2000:]}"
        time.sleep(0.05)


def test_an_idle_watcher_keeps_its_heartbeat_fresh_and_ready_fails_once_it_hangs(
    prorata: Any, tmp_path: Path
) -> None:
    beat, log = tmp_path / "watcher.heartbeat", tmp_path / "watch.log"
    env = {
        **os.environ,
        "PRORATA_DATA_DIR": str(tmp_path / "var"),  # where the `prorata` fixture's commands look
        "PRORATA_HEARTBEAT_FILE": str(beat),
        "PRORATA_SWEEP_SECONDS": "3600",  # its own workers' sweeper holds no database lock when stopped
    }
    with log.open("wb") as errors:
        watch = subprocess.Popen(
            [prorata.executable, "watch"], env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
    try:
        first = _next_beat(beat, 0, watch, log)
        _next_beat(beat, first, watch, log)  # a second pass, with no file to look at
        alive = prorata("ready", "--heartbeat", beat, "--max-age", str(MAX_AGE))
        assert alive.code == 0, alive.stderr
        assert alive.stdout.strip() == "ready: database ok, migrations ok, broker ok, heartbeat ok"

        watch.send_signal(signal.SIGSTOP)  # hung: the process is there, its loop goes nowhere
        last = beat.stat().st_mtime
        time.sleep(max(0.0, last + MAX_AGE + 0.2 - time.time()))
        hung = prorata("ready", "--heartbeat", beat, "--max-age", str(MAX_AGE))
        assert hung.code == 1, hung.stdout
        assert f"heartbeat: {beat} was last touched" in hung.stderr
        assert f"over the limit of {MAX_AGE:g} s" in hung.stderr
        assert beat.stat().st_mtime == last
    finally:
        watch.send_signal(signal.SIGCONT)
        watch.send_signal(signal.SIGTERM)
        try:
            watch.wait(timeout=30)
        except subprocess.TimeoutExpired:
            watch.kill()
            watch.wait(timeout=10)
