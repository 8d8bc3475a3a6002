"""Heartbeat files on a real disk: touching one that cannot be written warns once and never stops the
process's loop; a worker's heartbeat goes on only while every dramatiq thread it runs is alive (its
/metrics would answer all the same), and the loop ends when one dies, for the worker to exit."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from prorata.adapters.heartbeat import FileHeartbeat
from prorata.entrypoints.worker import beat_while_alive


def test_a_heartbeat_that_cannot_be_touched_warns_once_and_comes_back_when_it_can(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    beat = tmp_path / "run" / "watcher.heartbeat"
    heartbeat = FileHeartbeat(beat)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            heartbeat.beat()  # its folder is missing
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert str(beat) in warning.getMessage()
    beat.parent.mkdir()
    heartbeat.beat()
    assert time.time() - beat.stat().st_mtime < 5
    beat.unlink()
    beat.parent.rmdir()
    beat.parent.write_text("a file where the folder was")  # not even root can write under it
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        heartbeat.beat()
        heartbeat.beat()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1  # a new failure, told


def test_no_heartbeat_file_set_touches_nothing(tmp_path: Path) -> None:
    FileHeartbeat(None).beat()
    assert list(tmp_path.iterdir()) == []


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_worker_s_heartbeat_stops_when_a_consumer_thread_dies(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broker = StubBroker()
    broker.declare_queue("imports")
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    beat, stop, returned = tmp_path / "worker.heartbeat", threading.Event(), []

    def beating() -> None:
        returned.append(beat_while_alive(worker, [], FileHeartbeat(beat), stop, 0.02))

    loop = threading.Thread(target=beating)
    try:
        with caplog.at_level(logging.ERROR):
            loop.start()
            _until(lambda: _mtime(beat) > 0)
            first = _mtime(beat)
            _until(lambda: _mtime(beat) > first)  # beating while every thread lives
            consumer = worker.consumers["imports"]
            consumer.stop()  # its thread ends, as one would on an error it did not catch
            consumer.join(5)
            assert not consumer.is_alive()
            _until(lambda: any("imports" in r.getMessage() for r in caplog.records))
            last = _mtime(beat)
            time.sleep(0.2)
            assert _mtime(beat) == last  # stale from now on: the healthcheck will say so
            loop.join(5)
            assert returned == [["the consumer of imports"]]  # it ends, for the worker to exit 1
        (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert "consumer of imports" in error.getMessage()
    finally:
        stop.set()
        loop.join(5)
        worker.stop()
