"""The suite's `drain` (imports and events handled) does not wait for a webhook delivery's retry: its
backoff runs for a day, and a drain waiting on it would hold every later test of the session."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tests.api_client import Caller
from tests.integration.published import published_receipts


def test_drain_returns_while_a_failing_delivery_waits_for_its_retry(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    # A host that does not resolve: each delivery fails at once and is retried 2 s, 4 s, 8 s … later.
    hook = manager.created(
        "/v1/webhooks", {"url": "https://hooks.invalid/prorata", "events": ["receipt.issued"]}
    )
    try:
        published_receipts(manager, community)
        done = threading.Event()

        def drained() -> None:
            drain()
            done.set()

        threading.Thread(target=drained, daemon=True).start()
        # Its retries would hold a drain that waited for them for a day: ten seconds tells, on a busy
        # machine too (1.5 s did not: the publish's own events took longer under load).
        assert done.wait(10), "drain waited for the delivery's delayed retries"
        deadline = time.monotonic() + 10
        while True:  # the first tries, made by the worker beside the drain
            deliveries = manager.get(f"/v1/webhooks/{hook['id']}/deliveries").get_json()
            if len(deliveries) == 3 and all(
                d["status"] == "queued" and d["attempts"] >= 1 for d in deliveries
            ):
                break
            assert time.monotonic() < deadline, deliveries
            time.sleep(0.02)
        assert all(d["next_attempt_at"] for d in deliveries)  # a retry, seconds from now
        assert all("does not resolve" in d["reason"] for d in deliveries)
    finally:
        manager.delete(f"/v1/webhooks/{hook['id']}")  # its retries end at their next attempt
