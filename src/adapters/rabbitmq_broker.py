"""RabbitMQ as dramatiq's broker, with sends that an idle spell does not break.

dramatiq's RabbitmqBroker sends on a pika BlockingConnection of each thread that sends. pika answers the
server's heartbeats only while that thread does I/O on it, so a thread that sends seldom — the watcher
claiming a file now and then, a sweeper, an API thread — leaves its connection silent, and RabbitMQ closes
it a few heartbeat timeouts later (the timeout: 60 s, unless PRORATA_BROKER_URL's `?heartbeat=` or the
server says otherwise). The thread's next send found it dead: pika logged three ERROR lines and a
traceback, and dramatiq sent again on a new connection. Here a thread whose connection has been silent
for half the timeout closes it first — pika's lines about that close dropped, as it may be dead already
— and sends on a new one, which costs one connection opened per send after such a spell."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dramatiq
from dramatiq.brokers import rabbitmq

# The pika loggers that tell of a connection lost, each of them every time.
_TELL_OF_LOSS = (
    "pika.adapters.base_connection",
    "pika.adapters.blocking_connection",
    "pika.adapters.utils.io_services_utils",
)


class RabbitmqBroker(rabbitmq.RabbitmqBroker):
    """dramatiq's RabbitmqBroker, under its name: readiness and the logs name a broker by its class."""

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(url=url)
        self._clock = clock
        self._timeout = _Negotiated()
        for parameters in self.parameters if isinstance(self.parameters, list) else [self.parameters]:
            parameters.heartbeat = self._timeout.recording(parameters.heartbeat)
        self._last_send = threading.local()
        for name in _TELL_OF_LOSS:
            logger = logging.getLogger(name)
            if _QUIET not in logger.filters:
                logger.addFilter(_QUIET)

    def enqueue(self, message: dramatiq.Message[Any], *, delay: int | None = None) -> dramatiq.Message[Any]:
        self._renew_if_silent()
        try:
            return super().enqueue(message, delay=delay)
        finally:
            self._last_send.at = self._clock()

    def _renew_if_silent(self) -> None:
        connection = getattr(self.state, "connection", None)
        last = getattr(self._last_send, "at", None)
        timeout = self._timeout.seconds
        if connection is None or last is None or not timeout or self._clock() - last < timeout / 2:
            return
        with (
            _quiet(),
            contextlib.suppress(Exception),
        ):  # dead already (RabbitMQ closed it): closed all the same
            connection.close()
        del self.connection  # dramatiq forgets it and its channel; the next use opens new ones


@contextmanager
def _quiet() -> Iterator[None]:
    """pika's lines from this thread dropped meanwhile; other threads' are told as ever."""
    thread = threading.get_ident()
    _QUIET.threads.add(thread)
    try:
        yield
    finally:
        _QUIET.threads.discard(thread)


class _QuietThreads(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread not in self.threads


_QUIET = _QuietThreads()


class _Negotiated:
    """The heartbeat timeout pika and the server agreed on, learnt from pika's own negotiation: a
    parameters' `heartbeat` may be a function of the server's proposal (pika's documented hook)."""

    def __init__(self) -> None:
        self.seconds: int | None = None

    def recording(self, requested: int | None) -> Callable[[Any, int], int]:
        # A function, not a bound method: pika deep-copies its parameters, and copies a method's object
        # with it but keeps a function as it is — so this one records here.
        def negotiate(connection: Any, proposed: int) -> int:
            chosen = proposed if requested is None else requested  # pika's rule: the client's, if any
            self.seconds = chosen
            return chosen

        return negotiate
