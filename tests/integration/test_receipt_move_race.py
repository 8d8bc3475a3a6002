"""Two moves of one receipt at the same time: both read it in the same state, and exactly one is kept.

Each request runs in a thread of its own with its own transaction; a clock that makes both wait for each
other right after they read the receipt and before either writes makes the race certain."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from prorata.application.receipt_events import Report, report_move
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from prorata.domain.receipts.lifecycle import EventType, InvalidTransition
from prorata.domain.receipts.receipt import IssuedReceipt
from tests.api_client import Caller
from tests.integration.published import published_receipts
from tests.integration.test_api_settlement_flow import community_tenant


class MeetingClock:
    """The system's clock, but the first time each thread reads it, it waits for the other thread."""

    def __init__(self, components: Components) -> None:
        self.clock = components.clock
        self.barrier = threading.Barrier(2, timeout=10)
        self.met = threading.local()

    def now(self) -> datetime:
        if not getattr(self.met, "done", False):
            self.met.done = True
            self.barrier.wait()
        return self.clock.now()


def race(
    components: Components, tenant: str, receipt_id: str, reports: list[Report], keys: list[str | None]
) -> list[Any]:
    services = replace(components.services, clock=MeetingClock(components))
    manager = Principal(Role.MANAGER, tenant)

    def answer(receipt: IssuedReceipt) -> dict[str, Any]:
        return {"status": receipt.status.value, "version": receipt.version}

    def one(report: Report, key: str | None) -> Any:
        with components.tenant_unit_of_work(tenant) as uow:
            try:
                return report_move(uow, services, manager, receipt_id, report, key, answer)
            except InvalidTransition as refused:
                return refused

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, reports, keys))


@pytest.mark.parametrize("second", [EventType.PAID, EventType.CANCELLED], ids=str)
def test_of_two_moves_from_the_same_state_exactly_one_wins(
    components: Components, manager: Caller, community: dict[str, Any], second: EventType
) -> None:
    receipt = published_receipts(manager, community)[0]
    today = components.clock.now().date()
    outcomes = race(
        components,
        community_tenant(components, community),
        receipt["id"],
        [Report(EventType.PAID, today), Report(second, today)],
        [None, None],
    )
    won = [o for o in outcomes if isinstance(o, tuple)]
    lost = [o for o in outcomes if isinstance(o, InvalidTransition)]
    assert len(won) == len(lost) == 1, outcomes
    assert won[0] == (201, {"status": won[0][1]["status"], "version": 2})
    # The loser was judged on the receipt as the winner left it, and told its status.
    assert lost[0].status.value == won[0][1]["status"]
    entries = manager.get(f"/v1/receipts/{receipt['id']}/events").get_json()
    assert [e["seq"] for e in entries] == [1, 2]
    assert manager.get(f"/v1/receipts/{receipt['id']}").get_json()["status"] == won[0][1]["status"]


def test_the_same_move_sent_twice_at_once_with_its_key_is_kept_once_and_both_get_its_answer(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipt = published_receipts(manager, community)[0]
    paid = Report(EventType.PAID, components.clock.now().date())
    outcomes = race(
        components, community_tenant(components, community), receipt["id"], [paid, paid], ["k-1", "k-1"]
    )
    assert outcomes == [(201, {"status": "paid", "version": 2})] * 2
    entries = manager.get(f"/v1/receipts/{receipt['id']}/events").get_json()
    assert [e["type"] for e in entries] == ["issued", "paid"]


def test_two_moves_that_can_follow_each_other_are_kept_in_turn_as_if_sent_one_after_the_other(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    """Presented for collection while paid at the desk: whichever comes second is judged on the receipt
    as the first left it — a payment after a presentation stands, a presentation after a payment not."""
    receipt = published_receipts(manager, community)[0]
    today = components.clock.now().date()
    presented, paid = race(
        components,
        community_tenant(components, community),
        receipt["id"],
        [Report(EventType.PRESENTED, today), Report(EventType.PAID, today)],
        [None, None],
    )
    entries = manager.get(f"/v1/receipts/{receipt['id']}/events").get_json()
    assert paid[0] == 201
    if isinstance(presented, InvalidTransition):
        assert presented.status.value == "paid"
        assert [e["type"] for e in entries] == ["issued", "paid"]
    else:
        assert (presented, paid) == (
            (201, {"status": "in_collection", "version": 2}),
            (201, {"status": "paid", "version": 3}),
        )
        assert [e["type"] for e in entries] == ["issued", "presented", "paid"]
