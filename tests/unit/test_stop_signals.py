"""A serving command stops on SIGTERM or SIGINT by an event its main loop waits on. The handler runs on
that main thread between any two of its steps — inside `stop.wait(0.5)` too, while it holds the event's
lock: a handler setting the event itself would wait there for ever, the process never stopping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from prorata.entrypoints.cli.stopping import until_signalled


@pytest.fixture
def handlers() -> Iterator[None]:
    kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in kept.items():
        signal.signal(number, handler)


@pytest.mark.usefixtures("handlers")
def test_a_signal_landing_while_the_loop_holds_the_events_lock_still_stops_it() -> None:
    stop = threading.Event()
    until_signalled(stop)
    handler = signal.getsignal(signal.SIGTERM)
    assert callable(handler)
    with stop._cond:  # type: ignore[attr-defined]  # held by the main thread in and out of stop.wait(…)
        handling = threading.Thread(target=handler, args=(signal.SIGTERM, None), daemon=True)
        handling.start()
        handling.join(2)
        assert not handling.is_alive(), "the handler waited for the lock its own thread holds"
    assert stop.wait(5)


@pytest.mark.usefixtures("handlers")
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_real_signal_sets_the_event(number: signal.Signals) -> None:
    stop = threading.Event()
    until_signalled(stop)
    os.kill(os.getpid(), number)
    assert stop.wait(5)


_DRAINING = """
import threading, time
from prorata.entrypoints.cli.stopping import until_signalled
stop = threading.Event()
until_signalled(stop)
print("serving", flush=True)
stop.wait()
print("draining", flush=True)
time.sleep(60)  # what a long drain looks like: jobs in progress finishing
"""


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_second_signal_during_the_drain_ends_the_process_at_once(number: signal.Signals) -> None:
    """Ctrl-C, then Ctrl-C again: the second means now (a job cut short goes back when its lease ends)."""
    process = subprocess.Popen([sys.executable, "-c", _DRAINING], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "serving\n"
        process.send_signal(number)
        assert process.stdout.readline() == "draining\n"
        process.send_signal(number)
        assert process.wait(timeout=10) == 128 + number
    finally:
        process.kill()
        process.wait()
