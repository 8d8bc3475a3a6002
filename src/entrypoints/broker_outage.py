"""While the broker is out of reach, pika and dramatiq would write ~50 lines a second (every connection
attempt of every consumer, at ERROR and CRITICAL, tracebacks included). This filter, on the one log
handler, keeps pika's own lines from WARNING up except its connection attempts, and turns dramatiq's
consumer connection errors into one warning per outage: a new outage is one that starts after a quiet
spell of `quiet_seconds` (dramatiq retries every 3 s, so a longer quiet spell means it got through)."""

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


class BrokerOutageFilter(logging.Filter):
    def __init__(self, quiet_seconds: float = QUIET_SECONDS, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self.last_error: float | None = None
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if name.startswith("pika"):
            return record.levelno >= logging.WARNING and not name.startswith(_ATTEMPTS)
        if not name.startswith("dramatiq.worker.ConsumerThread"):
            return True
        message = str(record.msg)
        if message.startswith("Restarting consumer"):
            return False
        if not message.startswith("Consumer encountered a connection error"):
            return True
        return self._first_of_outage(record)

    def _first_of_outage(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        with self.lock:
            new = self.last_error is None or now - self.last_error > self.quiet_seconds
            self.last_error = now
        if not new:
            return False
        why = record.getMessage().partition(": ")[2]
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = (
            "the broker does not answer (%s); check PRORATA_BROKER_URL and that the broker is up. Workers "
            "keep reconnecting every few seconds, quietly; jobs wait in the database meanwhile"
        )
        record.args = (why,)
        return True
