"""The garbage collector is paused while a large use case runs, and only then."""

from __future__ import annotations

import gc
import threading

from prorata.application.collector import collector_paused


def test_paused_inside_and_running_again_after_even_when_the_work_fails() -> None:
    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("the use case failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_overlapping_pauses_resume_it_only_when_the_last_one_ends() -> None:
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        first_in.wait()
        with collector_paused():
            pass
        seen.append(gc.isenabled())  # the first pause still holds
        second_done.set()

    worker = threading.Thread(target=other)
    worker.start()
    with collector_paused():
        first_in.set()
        second_done.wait()
    worker.join()
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
