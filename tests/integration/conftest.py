from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from flask import Flask

from prorata.adapters.dramatiq_queue import EVENTS, QUEUE
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests.api_client import Caller, key_for, new_tenant
from tests.integration.sftp_zone import zone  # noqa: F401  # a fixture: the drop zone's SSH server
from tests.silent_server import silent_server  # noqa: F401  # a fixture: a database host that hangs


@pytest.fixture
def drain(components: Components, worker: dramatiq.Worker) -> Callable[[], None]:
    """Wait until every queued import has been processed and every event it led to dispatched (an event
    may queue an import again, and an import more events). Not `worker.join()`: it waits on every queue's
    delayed messages too — a webhook delivery's or a notification's retry, due seconds to hours later.
    A message counts in its queue until it is acked, after its actor has run."""

    def wait() -> None:
        broker = components.broker
        assert isinstance(broker, StubBroker)
        assert worker.consumers, "the worker is running"
        while True:
            broker.join(QUEUE, fail_fast=True)
            broker.join(EVENTS, fail_fast=True)
            if all(broker.queues[q].unfinished_tasks == 0 for q in (QUEUE, EVENTS)):
                return

    return wait


@pytest.fixture
def tenant(components: Components) -> str:
    return new_tenant(components)


@pytest.fixture
def manager(app: Flask, components: Components, tenant: str) -> Caller:
    return Caller(app.test_client(), key_for(components, Role.MANAGER, tenant))


@pytest.fixture
def community(manager: Caller) -> dict[str, Any]:
    return manager.created("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
