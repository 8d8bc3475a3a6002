"""How a serving command stops on SIGTERM (`docker stop`, systemd) or SIGINT (Ctrl-C).

In a container the command runs as PID 1 (the image's exec-form entrypoint), and the kernel does not
deliver to PID 1 a signal it has no handler for: until it installs one, `docker stop` waits out the whole
grace period (660 s for the worker) and kills it. So a serving command exits at once on either signal
from its first moment — while it starts (connecting, migrating the schema) nothing is in progress to
finish — and, from when it serves, the signal only sets the event that its loop stops on."""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
from types import FrameType

log = logging.getLogger("prorata.cli")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def exit_while_starting(command: str) -> None:
    """Until `until_signalled`, SIGTERM or SIGINT ends the process at once, exit status 128 + its number."""

    def leave(number: int, frame: FrameType | None) -> None:
        log.info("prorata %s: %s while starting; stopped", command, signal.Signals(number).name)
        sys.exit(128 + number)

    for number in _SIGNALS:
        signal.signal(number, leave)


def until_signalled(stop: threading.Event) -> None:
    """From now on SIGTERM or SIGINT sets `stop`: the command finishes what is in progress and exits; a
    second signal ends it at once (Ctrl-C twice).

    The handler runs on the main thread between any two of its steps — inside `stop.wait(…)` too, holding
    the event's lock — so it only puts the signal on a queue whose `put` takes no lock (SimpleQueue's is
    reentrant); a thread of its own sets the event. Setting it in the handler hung the process there."""
    signals: queue.SimpleQueue[int] = queue.SimpleQueue()

    def relay() -> None:
        signals.get()
        stop.set()
        again = signals.get()  # a second one means now: what is in progress goes back when its lease ends
        log.warning(
            "%s again: stopping now, without waiting for what is in progress", signal.Signals(again).name
        )
        os._exit(128 + again)

    threading.Thread(target=relay, name="prorata-signals", daemon=True).start()
    for number in _SIGNALS:
        signal.signal(number, lambda number, _: signals.put(number))
