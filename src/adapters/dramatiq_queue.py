"""dramatiq as the task queue: RabbitMQ or Redis in production, an in-process StubBroker all-in-one.

Messages carry ids only; the database holds the truth, so a lost message costs only a sweeper's delay."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

QUEUE = "imports"
RUN_IMPORT = "run_import"
EVENTS = "events"
DISPATCH_EVENT = "dispatch_event"


def make_broker(url: str, namespace: str = "prorata") -> dramatiq.Broker:
    """`amqp://…` → RabbitMQ, `redis://…` → Redis (its keys under `namespace`), empty → in-process
    StubBroker."""
    if not url:
        return StubBroker()
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker  # needs pika: imported only when chosen

        return RabbitmqBroker(url=url)
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

    def _send(self, queue: str, actor: str, id: str) -> None:
        self.broker.enqueue(
            dramatiq.Message(queue_name=queue, actor_name=actor, args=(id,), kwargs={}, options={})
        )
