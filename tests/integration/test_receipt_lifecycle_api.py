"""A receipt's lifecycle over REST: what a management system reports from its bank moves the receipt,
writes its history and tells the outbox; what its status does not allow is refused, naming the status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from prorata.adapters.sql import tables
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.domain.receipts.receipt import superseded
from tests.api_client import Caller, key_for, new_tenant
from tests.integration.published import publish, published_receipts, today
from tests.integration.test_api_settlement_flow import community_tenant

REPORTED = ("presented", "paid", "returned", "represented", "cancelled")
ALLOWED = {
    "issued": {"presented", "paid", "cancelled"},
    "in_collection": {"paid", "returned"},
    "returned": {"represented", "paid", "cancelled"},
    "paid": {"returned"},  # a refund of a direct debit after payment
    "cancelled": set(),
    "superseded": set(),
}


def report(caller: Caller, receipt_id: str, type: str, **more: Any) -> Any:
    return caller.post(f"/v1/receipts/{receipt_id}/events", {"type": type, "on": today(), **more})


def moved(caller: Caller, receipt_id: str, type: str, **more: Any) -> dict[str, Any]:
    response = report(caller, receipt_id, type, **more)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def history(caller: Caller, receipt_id: str) -> list[dict[str, Any]]:
    response = caller.get(f"/v1/receipts/{receipt_id}/events")
    assert response.status_code == 200, response.get_json()
    found: list[dict[str, Any]] = response.get_json()
    return found


def as_role(app: Flask, components: Components, community: dict[str, Any], role: Role) -> Caller:
    tenant = None if role is Role.SUPPORT else community_tenant(components, community)
    return Caller(app.test_client(), key_for(components, role, tenant))


def test_a_receipt_goes_through_collection_a_return_and_payment_with_its_history_oldest_first(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipt = published_receipts(manager, community)[0]
    integration = as_role(app, components, community, Role.INTEGRATION)
    assert moved(integration, receipt["id"], "presented")["status"] == "in_collection"
    returned = moved(integration, receipt["id"], "returned", reason="AM04", note="insufficient funds")
    assert returned["status"] == "returned"
    assert moved(manager, receipt["id"], "represented")["status"] == "in_collection"
    paid = moved(integration, receipt["id"], "paid")
    assert paid == manager.get(f"/v1/receipts/{receipt['id']}").get_json()
    assert paid["status"] == "paid"

    entries = history(manager, receipt["id"])
    assert [(e["seq"], e["type"], e["status"]) for e in entries] == [
        (1, "issued", "issued"),
        (2, "presented", "in_collection"),
        (3, "returned", "returned"),
        (4, "represented", "in_collection"),
        (5, "paid", "paid"),
    ]
    assert [e["actor"] for e in entries] == [
        "manager",
        "integration",
        "integration",
        "manager",
        "integration",
    ]
    assert (entries[2]["reason"], entries[2]["note"]) == ("AM04", "insufficient funds")
    assert all(e["on"] == today() for e in entries)
    assert set(entries[0]) == {
        "id", "seq", "type", "on", "status", "actor", "reason", "reason_text", "note", "note_text",
        "recorded_at",
    }  # fmt: skip
    assert (entries[0]["reason_text"], entries[2]["reason_text"]["language"]) == (None, "es")
    # Each entry told the outbox, for the notifications to come.
    with components.engine.connect() as connection:
        told = [
            payload
            for (payload,) in connection.execute(
                select(tables.outbox.c.payload).where(tables.outbox.c.kind == "ReceiptMoved")
            )
            if payload["receipt_id"] == receipt["id"]
        ]
    assert sorted((t["event_id"], t["type"], t["reason"]) for t in told) == sorted(
        (e["id"], e["type"], e["reason"]) for e in entries
    )


def test_every_move_its_status_does_not_allow_is_refused_naming_the_status(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts = [r["id"] for r in published_receipts(manager, community) + publish(manager, community["id"])]
    at = dict(zip(ALLOWED, receipts, strict=True))
    moved(manager, at["in_collection"], "presented")
    moved(manager, at["returned"], "presented")
    moved(manager, at["returned"], "returned", reason="MD06")
    moved(manager, at["paid"], "paid")
    moved(manager, at["cancelled"], "cancelled")
    with components.unit_of_work() as uow:  # only a published correction supersedes a receipt
        stored = uow.receipts.get(None, at["superseded"])
        assert stored is not None
        uow.receipts.update(superseded(stored, components.ids.new(), components.clock.now())[0])
        uow.commit()

    refused = []
    for status, receipt_id in at.items():
        before = manager.get(f"/v1/receipts/{receipt_id}").get_json()
        assert before["status"] == status
        for type in sorted(set(REPORTED) - ALLOWED[status]):
            response = report(manager, receipt_id, type, reason="AM04")
            assert response.status_code == 409, (status, type, response.get_json())
            error = response.get_json()["errors"][0]
            assert (error["code"], error["status"]) == ("invalid_transition", status)
            assert status in error["message"]
            refused.append((status, type))
        assert manager.get(f"/v1/receipts/{receipt_id}").get_json() == before
    assert len(refused) == 6 * 5 - 9
    assert [e["type"] for e in history(manager, at["paid"])] == ["issued", "paid"]


def test_a_move_sent_again_with_its_key_gets_the_first_answer_and_moves_nothing(
    manager: Caller, community: dict[str, Any]
) -> None:
    first_receipt, other_receipt, _ = published_receipts(manager, community)
    key = {"Idempotency-Key": "bank-file-7:line-3"}
    path = f"/v1/receipts/{first_receipt['id']}/events"
    body = {"type": "presented", "on": today()}
    first = manager.post(path, body, headers=key)
    again = manager.post(path, body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert first.get_json()["status"] == "in_collection"
    assert [e["type"] for e in history(manager, first_receipt["id"])] == ["issued", "presented"]
    # Once the receipt moved on, the key still answers what it answered first.
    moved(manager, first_receipt["id"], "paid")
    assert manager.post(path, body, headers=key).get_json()["status"] == "in_collection"
    # The key with another move, or on another receipt, is refused; without a key, a move is a move.
    for other_path, other_body in (
        (path, {"type": "returned", "on": today(), "reason": "AM04"}),
        (f"/v1/receipts/{other_receipt['id']}/events", body),
    ):
        reused = manager.post(other_path, other_body, headers=key)
        assert reused.status_code == 422
        assert reused.get_json()["errors"][0]["code"] == "idempotency_key_reused"
    assert [e["type"] for e in history(manager, other_receipt["id"])] == ["issued"]
    long_key = manager.post(path, body, headers={"Idempotency-Key": "k" * 201})
    assert long_key.status_code == 422
    assert long_key.get_json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_cancelled_receipt_is_final(manager: Caller, community: dict[str, Any]) -> None:
    receipt = published_receipts(manager, community)[1]
    cancelled = moved(manager, receipt["id"], "cancelled", note="unit sold before the period")
    assert cancelled["status"] == "cancelled"
    paid = report(manager, receipt["id"], "paid")
    assert paid.status_code == 409
    assert paid.get_json()["errors"][0]["status"] == "cancelled"
    assert "final" in paid.get_json()["errors"][0]["message"]


def test_a_bad_report_is_refused_naming_its_field(manager: Caller, community: dict[str, Any]) -> None:
    receipt = published_receipts(manager, community)[0]
    path = f"/v1/receipts/{receipt['id']}/events"
    tomorrow_anywhere = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    before_issue = (date.fromisoformat(today()) - timedelta(days=1)).isoformat()
    for body, field in (
        ({"type": "presented", "on": tomorrow_anywhere}, "on"),
        ({"type": "presented", "on": before_issue}, "on"),
        ({"type": "presented", "on": "31/03/2026"}, "on"),
        ({"type": "presented"}, "on"),
        ({"type": "paid", "on": today(), "reason": "AM4"}, "reason"),
        ({"type": "paid", "on": today(), "note": "x" * 501}, "note"),
        ({"type": "issued", "on": today()}, "type"),
        ({"type": "superseded", "on": today()}, "type"),
        ({"type": "paid", "on": today(), "amount": "10.00"}, "amount"),
    ):
        response = manager.post(path, body)
        assert response.status_code == 422, (body, response.get_json())
        assert response.get_json()["errors"][0]["field"] == field, body
    assert [e["type"] for e in history(manager, receipt["id"])] == ["issued"]
    assert report(manager, "no-such-receipt", "paid").status_code == 404


def test_only_a_manager_or_a_management_system_reports_moves(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipt = published_receipts(manager, community)[0]
    resident = manager.created(
        "/v1/residents", {"name": "Rosa Díaz", "units": [{"unit_id": receipt["unit_id"]}]}
    )
    tenant = community_tenant(components, community)
    as_resident = Caller(app.test_client(), key_for(components, Role.RESIDENT, tenant, resident["id"]))
    support = as_role(app, components, community, Role.SUPPORT)
    for caller in (as_resident, support):
        refused = report(caller, receipt["id"], "paid")
        assert refused.status_code == 403
        assert refused.get_json()["errors"][0]["code"] == "forbidden"
    # Both read its history: she holds its unit; support reads every tenant's.
    assert [e["type"] for e in history(as_resident, receipt["id"])] == ["issued"]
    assert [e["type"] for e in history(support, receipt["id"])] == ["issued"]
    other_tenant_manager = Caller(
        app.test_client(), key_for(components, Role.MANAGER, new_tenant(components, "Otra"))
    )
    assert other_tenant_manager.get(f"/v1/receipts/{receipt['id']}/events").status_code == 404
    assert report(other_tenant_manager, receipt["id"], "paid").status_code == 404
