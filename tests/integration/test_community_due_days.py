"""A community says how long its residents have to pay: its receipts fall due that many days after issue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from prorata.config.bootstrap import Components
from tests.api_client import Caller
from tests.integration.published import publish, published_receipts


def due_on(components: Components, receipt_id: str) -> tuple[date | None, date | None]:
    # The receipt JSON's issue and due dates are the receipt document's; read them as stored.
    with components.unit_of_work() as uow:
        stored = uow.receipts.get(None, receipt_id)
        assert stored is not None
        return stored.issued_on, stored.due_on


def test_receipts_fall_due_the_communitys_days_after_issue_or_fifteen(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    assert community["due_days"] is None  # the default: 15
    receipt = published_receipts(manager, community)[0]
    issued, first_due = due_on(components, receipt["id"])
    assert issued is not None
    assert first_due == issued + timedelta(days=15)

    changed = manager.patch(f"/v1/communities/{community['id']}", {"due_days": 30})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["due_days"] == 30
    assert manager.get(f"/v1/communities/{community['id']}").get_json()["due_days"] == 30
    later = publish(manager, community["id"])[0]
    issued, due = due_on(components, later["id"])
    assert issued is not None
    assert due == issued + timedelta(days=30)
    assert due_on(components, receipt["id"])[1] == first_due  # earlier receipts keep theirs

    immediate = manager.created("/v1/communities", {"code": "C0001", "name": "CP Ya", "due_days": 0})
    assert immediate["due_days"] == 0


def test_due_days_out_of_range_are_refused_naming_the_field(manager: Caller) -> None:
    for value in (-1, 366, "15", 1.5):
        refused = manager.post("/v1/communities", {"code": "C9", "name": "CP", "due_days": value})
        assert refused.status_code == 422, value
        assert refused.get_json()["errors"][0]["field"] == "due_days"
