"""While the broker is out of reach, pika and dramatiq would write ~50 lines a second (every connection
attempt of every consumer, at ERROR and CRITICAL, tracebacks included). This filter, on the one log
handler, keeps pika's own lines from WARNING up except those telling a connection attempt that failed or
a connection lost — whoever used the connection gets the error and tells it, with its reason — and turns
the outage into one warning: dramatiq's consumer connection errors and prorata's failed sends
(adapters/dramatiq_queue.py) count as signs of it, and only the first of an outage is written. A new
outage is one that starts after a quiet spell of `quiet_seconds` (dramatiq retries every 3 s, so a
longer quiet spell means it got through)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

QUIET_SECONDS = 30.0
# pika's connection attempts: each failure is told by several of these loggers, each time.
_ATTEMPTS = (
    "pika.adapters.utils.connection_workflow",
    "pika.adapters.utils.io_services_utils",
    "pika.adapters.blocking_connection",
)
# The lines of pika's other loggers that tell a lost stream or a failed handshake (pika 1.3-1.4: its
# message templates), as a listener that accepts then closes (a load balancer, a RabbitMQ restarting)
# or a cut connection makes them. The handshake guesses are told again by the error that follows.
_LOST = {
    "pika.adapters.base_connection": (
        "Transport indicated EOF",
        "connection_lost: ",
        "Full-stack connection workflow failed",
        "Self-initiated stack bring-up failed",
    ),
    "pika.connection": (
        "Probably incompatible Protocol Versions",
        "Connection closed while authenticating",
        "Connection closed while tuning the connection",
    ),
}
_SENDS = "prorata.adapters.dramatiq_queue"


class BrokerOutageFilter(logging.Filter):
    def __init__(self, quiet_seconds: float = QUIET_SECONDS, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self.last_error: float | None = None
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        message = str(record.msg)
        if name.startswith("pika"):
            lost = name.startswith(_ATTEMPTS) or message.startswith(_LOST.get(name, ()))
            return record.levelno >= logging.WARNING and not lost
        if name == _SENDS and message.startswith("could not send "):
            return self._first_of_outage(record, rewrite=False)  # it says that the sweeper sends again
        if not name.startswith("dramatiq.worker.ConsumerThread"):
            return True
        if message.startswith("Restarting consumer"):
            return False
        if not message.startswith("Consumer encountered a connection error"):
            return True
        return self._first_of_outage(record)

    def _first_of_outage(self, record: logging.LogRecord, rewrite: bool = True) -> bool:
        now = self.clock()
        with self.lock:
            new = self.last_error is None or now - self.last_error > self.quiet_seconds
            self.last_error = now
        if not new or not rewrite:
            return new
        why = record.getMessage().partition(": ")[2]
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = (
            "the broker does not answer (%s); check PRORATA_BROKER_URL and that the broker is up. Workers "
            "keep reconnecting every few seconds, quietly; jobs wait in the database meanwhile"
        )
        record.args = (why,)
        return True
