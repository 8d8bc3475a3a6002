"""The serving process's signal handlers run on its main thread, in the middle of whatever it was doing —
starting a thread of its request pool, say, while holding the pool's lock. gunicorn's gthread worker takes
that lock in its SIGQUIT handler (`tpool.shutdown`): a Ctrl-C or SIGINT to `prorata run`/`api` arriving
then left the worker hung for good (seen: "Handling signal: int", then nothing until gunicorn's SIGKILL).
Ours stops without taking it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from gunicorn.config import Config

from prorata.entrypoints.cli.api_server import ServingWorker


class _Log:
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _worker() -> ServingWorker:
    worker = ServingWorker(0, 0, [], None, 30, Config(), _Log())
    worker.tpool = worker.get_thread_pool()
    worker.alive = True
    return worker


def test_a_quit_signal_landing_while_the_request_pool_holds_its_lock_stops_the_worker() -> None:
    worker = _worker()
    quit_ended = threading.Event()

    def quit_signal() -> None:
        with pytest.raises(SystemExit):
            worker.handle_quit(3, None)
        quit_ended.set()

    with worker.tpool._shutdown_lock:  # what the main thread holds while the pool starts a thread
        handler = threading.Thread(target=quit_signal, daemon=True)
        handler.start()
        handler.join(3)
        assert quit_ended.is_set(), "the worker's quit waited for the request pool's lock"
    assert not worker.alive
    worker.tpool.shutdown()


def test_after_a_quit_the_request_pools_idle_threads_end_so_the_process_can_exit() -> None:
    """At exit Python joins the pool's threads: one left waiting for work would hold the process until
    gunicorn's SIGKILL. A quit landing while `submit` starts a thread may find it not yet registered
    for Python's own wake-up at exit: the quit wakes the pool's threads itself."""
    worker = _worker()
    assert worker.tpool.submit(lambda: 7).result(timeout=5) == 7  # one thread started, now idle
    with pytest.raises(SystemExit):
        worker.handle_quit(3, None)
    for thread in list(worker.tpool._threads):
        thread.join(3)
        assert not thread.is_alive(), "a pool thread still waits for work after the quit"


def test_the_worker_still_serves_requests_in_its_pool() -> None:
    worker = _worker()
    assert worker.tpool.submit(lambda: 7).result(timeout=5) == 7
    worker.tpool.shutdown()
