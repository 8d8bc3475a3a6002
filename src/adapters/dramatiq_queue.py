"""dramatiq as the task queue: RabbitMQ or Redis in production, an in-process StubBroker all-in-one.

Messages carry ids only; the database holds the truth, so a lost message costs only a sweeper's delay —
and so does a message that could not be sent: every send comes after the commit of the row it wakes a
worker for, and a broker that is down must not turn a change already made into a failure (an upload
answered 500 while its import was recorded). The send is logged and the sweeper sends the job again."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.brokers.stub import StubBroker

QUEUE = "imports"
RUN_IMPORT = "run_import"
EVENTS = "events"
DISPATCH_EVENT = "dispatch_event"

log = logging.getLogger(__name__)


def make_broker(url: str, namespace: str = "prorata") -> dramatiq.Broker:
    """`amqp://…` → RabbitMQ, `redis://…` → Redis (its keys under `namespace`), empty → in-process
    StubBroker."""
    if not url:
        return StubBroker()
    if url.startswith(("amqp://", "amqps://")):
        from prorata.adapters.rabbitmq_broker import RabbitmqBroker  # needs pika: imported only when chosen

        return RabbitmqBroker(url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, namespace=namespace)  # type: ignore[no-untyped-call]
    raise ValueError(f"PRORATA_BROKER_URL must be amqp://, redis:// or empty, not {url.split(':')[0]}://…")


class DramatiqTaskQueue:
    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        broker.declare_queue(QUEUE)
        broker.declare_queue(EVENTS)

    def run_import(self, import_id: str) -> None:
        self._send(QUEUE, RUN_IMPORT, import_id)

    def dispatch_event(self, event_id: str) -> None:
        self._send(EVENTS, DISPATCH_EVENT, event_id)

    def dispatch_events(self, event_ids: list[str]) -> None:
        if event_ids:
            send(self.broker, EVENTS, DISPATCH_EVENT, *event_ids)

    def _send(self, queue: str, actor: str, id: str) -> None:
        send(self.broker, queue, actor, id)


def send(broker: dramatiq.Broker, queue: str, actor: str, *ids: str, delay_ms: int | None = None) -> None:
    """Wake a worker for the committed rows `ids` (one message; its actor takes them as its arguments);
    if the broker cannot take the message, log it and go on: the sweeper sends the rows again within
    PRORATA_RESEND_SECONDS of their last send."""
    message: dramatiq.Message[object] = dramatiq.Message(
        queue_name=queue, actor_name=actor, args=ids, kwargs={}, options={}
    )
    try:
        broker.enqueue(message, delay=delay_ms)
    except Exception as error:  # the broker is down or unreachable (each broker raises its own errors)
        log.warning(
            "could not send %s(%s) to the broker (%s: %s); the sweeper will send it again",
            actor,
            ", ".join(ids),
            type(error).__name__,
            error,
        )
