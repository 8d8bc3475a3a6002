"""A remittance cancelled before its date: the residents told "it will be debited on D" are told the debit
on D is cancelled — once each, in their language, and nobody who was not told of the collection; a
management system hears of it by webhook with the date; and its pain.008 can no longer be downloaded,
so that nobody gives the bank a file whose collection was called off."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from prorata.domain.receipts.catalogue import catalogue
from tests.api_client import Caller
from tests.integration.test_remittances import collecting, remitted


def told(manager: Caller, receipt: dict[str, Any], event: str) -> list[dict[str, Any]]:
    response = manager.get(f"/v1/notifications?receipt_id={receipt['id']}&event={event}")
    assert response.status_code == 200, response.get_json()
    found: list[dict[str, Any]] = response.get_json()
    return found


def test_the_residents_told_of_a_collection_are_told_once_it_is_cancelled(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    receipts = collecting(manager, community)
    residents = {r["name"]: r for r in manager.get("/v1/residents").get_json()}
    for name, push, language in (("Rosa Díaz", "res-rosa", "es"), ("Jordi Puig", "res-jordi", "ca")):
        patched = manager.patch(
            f"/v1/residents/{residents[name]['id']}", {"external_id": push, "language": language}
        )
        assert patched.status_code == 200, patched.get_json()
    lodger = {"unit_id": receipts["1A"]["unit"]["id"], "role": "occupant", "since": "2020-01-01"}
    manager.created("/v1/residents", {"name": "Ana Inquilina", "external_id": "res-ana", "units": [lodger]})
    hook = manager.created(  # a name that resolves nowhere (RFC 2606): the delivery is made, never sent
        "/v1/webhooks", {"url": "https://hooks.prorata.invalid/", "events": ["receipt.withdrawn"]}
    )
    made = remitted(manager, community)
    drain()
    assert [n["resident_id"] for n in told(manager, receipts["1A"], "sent_for_collection")] == [
        residents["Rosa Díaz"]["id"]
    ]
    for _ in range(2):  # cancelling again changes nothing, and tells nothing again
        cancelled = manager.post(f"/v1/remittances/{made['id']}/cancel")
        assert cancelled.status_code == 200, cancelled.get_json()
        drain()
    collection = date.fromisoformat(made["collection_date"])
    for unit, name, language in (("1A", "Rosa Díaz", "es"), ("1B", "Jordi Puig", "ca")):
        [notification] = told(manager, receipts[unit], "collection_cancelled")
        assert notification["resident_id"] == residents[name]["id"]
        assert notification["language"] == language
        day = catalogue(language).formats.date(collection)
        assert day in notification["heading"]
        assert day in notification["content"]
        assert receipts[unit]["number"] in notification["content"]
    assert told(manager, receipts["Local"], "collection_cancelled") == []  # never sent for collection
    deliveries = manager.get(f"/v1/webhooks/{hook['id']}/deliveries").get_json()
    bodies = sorted((json.loads(d["body"]) for d in deliveries), key=lambda b: b["data"]["number"])
    assert [b["type"] for b in bodies] == ["receipt.withdrawn", "receipt.withdrawn"]
    assert [b["data"]["receipt_id"] for b in bodies] == [receipts["1A"]["id"], receipts["1B"]["id"]]
    assert {(b["data"]["collection_date"], b["data"]["remittance_id"]) for b in bodies} == {
        (made["collection_date"], made["id"])
    }


def test_a_cancelled_remittance_s_file_is_refused_saying_so(
    manager: Caller, community: dict[str, Any]
) -> None:
    collecting(manager, community)
    made = remitted(manager, community)
    assert manager.get(f"/v1/remittances/{made['id']}/pain.008.xml").status_code == 200
    cancelled = manager.post(f"/v1/remittances/{made['id']}/cancel").get_json()
    for version in ("", "?version=001.08"):
        response = manager.get(f"/v1/remittances/{made['id']}/pain.008.xml{version}")
        assert response.status_code == 409, response.data[:200]
        [error] = response.get_json()["errors"]
        assert error["code"] == "remittance_cancelled"
        assert cancelled["cancelled_at"][:10] in error["message"]
        assert "must not be sent to the bank" in error["message"]
    assert manager.get(f"/v1/remittances/{made['id']}").status_code == 200  # still there to read
