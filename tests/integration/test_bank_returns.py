"""Bank files over REST: pain.002 status reports and camt.054 notifications (.001.02 and .001.08), as
the tests write them, move the receipts of a remittance to paid or returned with the bank's reason; the
same file again changes nothing; crafted files are refused unread, and every file is kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from prorata.adapters.sql import tables
from prorata.application.bank_returns import receive_bank_file
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from tests.api_client import Caller
from tests.bank_files import BILLION_LAUGHS, Entry, Status, Tx, camt054, external_entity, pain002
from tests.integration.test_api_settlement_flow import community_tenant
from tests.integration.test_receipt_move_race import MeetingClock
from tests.integration.test_remittances import collecting, history, remitted, status_of


def at_the_bank(manager: Caller, community: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rosa's (1A) and Jordi's (1B) receipts sent for collection in one remittance: (receipts, it)."""
    receipts = collecting(manager, community)
    return receipts, remitted(manager, community)


def send(manager: Caller, content: bytes, name: str = "banco.xml") -> Any:
    return manager.upload("/v1/bank-returns", content, name)


def applied(manager: Caller, content: bytes) -> dict[str, Any]:
    response = send(manager, content)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def moves_told(components: Components) -> int:
    with components.engine.connect() as connection:
        count: int = connection.execute(
            select(func.count()).select_from(tables.outbox).where(tables.outbox.c.kind == "ReceiptMoved")
        ).scalar_one()
    return count


def test_a_status_report_returns_each_rejected_receipt_with_its_reason_once(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = receipts["1A"]["number"], receipts["1B"]["number"]
    report = pain002(
        remittance["message_id"],
        [
            Status(rosa, "RJCT", "AM04", information="saldo insuficiente"),
            Status(jordi, "ACCP"),
            Status("C9999-00001-0001", "RJCT", "AC04"),
        ],
    )
    result = applied(manager, report)
    assert result["format"] == "pain.002.001.03"
    assert [(a["receipt_id"], a["end_to_end_id"], a["outcome"], a["reason"]) for a in result["applied"]] == [
        (receipts["1A"]["id"], rosa, "returned", "AM04")
    ]
    assert [(i["receipt_id"], i["status"]) for i in result["ignored"]] == [(receipts["1B"]["id"], "ACCP")]
    assert [(u["end_to_end_id"], u["reason"]) for u in result["unknown"]] == [("C9999-00001-0001", "AC04")]
    assert (status_of(manager, receipts["1A"]), status_of(manager, receipts["1B"])) == (
        "returned", "in_collection",
    )  # fmt: skip
    returned = history(manager, receipts["1A"])[-1]
    assert (returned["type"], returned["reason"], returned["actor"]) == ("returned", "AM04", "bank")
    assert "saldo insuficiente" in returned["note"]
    kept = manager.get(f"/v1/bank-returns/{result['id']}").get_json()
    assert (kept["status"], kept["format"], kept["result"]) == ("applied", "pain.002.001.03", result)

    told, entries = moves_told(components), history(manager, receipts["1A"])
    again = send(manager, report, "the-same-file-again.xml")
    assert (again.status_code, again.get_json()) == (200, result)
    assert (moves_told(components), history(manager, receipts["1A"])) == (told, entries)

    # Presented again in a new remittance, the receipt is not returned by another copy of the old report.
    represented = remitted(manager, community, receipt_ids=[receipts["1A"]["id"]])
    assert history(manager, receipts["1A"])[-1]["type"] == "represented"
    copy = report.replace(b"BANK-PAIN002-1", b"BANK-PAIN002-2")
    late = applied(manager, copy)
    assert late["applied"] == []
    assert "rejected already" in late["ignored"][0]["why"]
    assert status_of(manager, receipts["1A"]) == "in_collection"
    assert manager.get(f"/v1/remittances/{represented['id']}").get_json()["items"][0]["at_bank"] is True


@pytest.mark.parametrize("version", ["02", "08"])
def test_a_notification_pays_booked_collections_and_returns_returned_ones(
    manager: Caller, community: dict[str, Any], version: str
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = receipts["1A"]["number"], receipts["1B"]["number"]
    notification = camt054(
        version,
        [
            Entry("540.00", transactions=[Tx(rosa, "540.00", message_id=remittance["message_id"])]),
            Entry("385.00", credit=False, booked_on="2026-05-06", transactions=[Tx(jordi, "385.00", "MS02")]),
        ],
    )
    result = applied(manager, notification)
    assert result["format"] == f"camt.054.001.{version}"
    assert sorted((a["end_to_end_id"], a["outcome"], a["reason"]) for a in result["applied"]) == [
        (rosa, "paid", None),
        (jordi, "returned", "MS02"),
    ]
    assert (status_of(manager, receipts["1A"]), status_of(manager, receipts["1B"])) == ("paid", "returned")
    detail = manager.get(f"/v1/remittances/{remittance['id']}").get_json()
    assert detail["status"] == "closed"  # every transaction has its outcome
    too_late = manager.post(f"/v1/remittances/{remittance['id']}/cancel")
    assert (too_late.status_code, too_late.get_json()["errors"][0]["code"]) == (409, "remittance_not_open")
    assert sorted((i["outcome"], i["reason"], i["at_bank"]) for i in detail["items"]) == [
        ("paid", None, False),
        ("returned", "MS02", False),
    ]


def test_a_remittance_booked_as_one_sum_pays_what_is_still_at_the_bank_and_a_refund_returns_it(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = receipts["1A"]["number"], receipts["1B"]["number"]
    applied(manager, pain002(remittance["message_id"], [Status(jordi, "RJCT", "AC06")]))
    booked = applied(manager, camt054("02", [Entry("540.00", batch=remittance["message_id"])]))
    assert [(a["end_to_end_id"], a["outcome"]) for a in booked["applied"]] == [(rosa, "paid")]
    assert (status_of(manager, receipts["1A"]), status_of(manager, receipts["1B"])) == ("paid", "returned")
    # Weeks later, Rosa asks her bank for a refund (MD06): the paid receipt is returned.
    refund = camt054(
        "08",
        [Entry("540.00", credit=False, booked_on="2026-06-20", transactions=[Tx(rosa, "540.00", "MD06")])],
        message="BANK-CAMT054-REFUND",
    )
    refunded = applied(manager, refund)
    assert [(a["end_to_end_id"], a["outcome"], a["reason"]) for a in refunded["applied"]] == [
        (rosa, "returned", "MD06")
    ]
    assert [(e["type"], e["status"], e["reason"]) for e in history(manager, receipts["1A"])] == [
        ("issued", "issued", None),
        ("presented", "in_collection", None),
        ("paid", "paid", None),
        ("returned", "returned", "MD06"),
    ]
    assert [e["reason"] for e in history(manager, receipts["1B"])][-1] == "AC06"


def test_a_remittance_rejected_whole_returns_every_receipt_with_the_groups_reason(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    result = applied(manager, pain002(remittance["message_id"], [], group_status="RJCT", group_reason="FF01"))
    assert sorted((a["receipt_id"], a["reason"]) for a in result["applied"]) == sorted(
        [(receipts["1A"]["id"], "FF01"), (receipts["1B"]["id"], "FF01")]
    )
    unknown = applied(manager, pain002("PRT-999999-000000000000", [], group_status="RJCT"))
    assert (unknown["applied"], len(unknown["unknown"])) == ([], 1)


def test_a_crafted_foreign_or_truncated_file_is_refused_unread_and_kept(
    components: Components, manager: Caller, community: dict[str, Any], tmp_path: Path
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    secret = tmp_path / "secret.txt"
    secret.write_text("the community's bank password")
    whole = pain002(remittance["message_id"], [Status(receipts["1A"]["number"], "RJCT", "AM04")])
    for content, said in (
        (BILLION_LAUGHS, "DTD or XML entities"),
        (external_entity(str(secret)), "DTD or XML entities"),
        (camt054("02", []).replace(b"camt.054.001.02", b"camt.053.001.02"), "camt.053.001.02"),
        (whole[: len(whole) // 2], "truncated"),
    ):
        refused = send(manager, content)
        assert refused.status_code == 422, refused.get_json()
        error = refused.get_json()["errors"][0]
        assert (error["code"], error["field"]) == ("unreadable_bank_file", "file")
        assert said in error["message"]
        assert "password" not in refused.get_data(as_text=True)
        again = send(manager, content)
        assert (again.status_code, again.get_json()) == (422, refused.get_json())
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B")] == ["in_collection", "in_collection"]
    kept = manager.get("/v1/bank-returns").get_json()
    assert [k["status"] for k in kept] == ["refused"] * 4
    assert all(k["problem"] for k in kept)
    for record in kept:  # every file received is kept, read or not
        assert components.blobs.local_path(record["sha256"]).stat().st_size == record["size"]
    assert manager.get(kept[0]["url"]).get_json() == kept[0]


def test_the_same_file_sent_twice_at_once_is_applied_once(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    report = pain002(remittance["message_id"], [Status(receipts["1A"]["number"], "RJCT", "AM04")])
    services = replace(components.services, clock=MeetingClock(components))
    caller = Principal(Role.MANAGER, community_tenant(components, community))

    def one(name: str) -> Any:
        with components.tenant_unit_of_work(caller.tenant_id or "") as uow:
            return receive_bank_file(uow, services, components.collection, caller, report, name)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(one, ["first.xml", "second.xml"]))
    assert sorted(status for status, _ in answers) == [200, 201]
    assert answers[0][1] == answers[1][1]
    assert [e["type"] for e in history(manager, receipts["1A"])] == ["issued", "presented", "returned"]


def test_a_receipt_moved_on_by_other_means_is_left_alone_and_its_remittance_still_closes(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = receipts["1A"]["number"], receipts["1B"]["number"]
    paid_in_cash = {"type": "paid", "on": history(manager, receipts["1A"])[-1]["on"], "note": "en efectivo"}
    manager.created(f"/v1/receipts/{receipts['1A']['id']}/events", paid_in_cash)
    booked = applied(
        manager, camt054("02", [Entry("925.00", transactions=[Tx(rosa, "540.00"), Tx(jordi, "385.00")])])
    )
    assert [(a["end_to_end_id"], a["outcome"]) for a in booked["applied"]] == [(jordi, "paid")]
    assert [(i["end_to_end_id"], "no longer at the bank" in i["why"]) for i in booked["ignored"]] == [
        (rosa, True)
    ]
    assert [e["type"] for e in history(manager, receipts["1A"])][-1] == "paid"  # not paid twice
    assert manager.get(f"/v1/remittances/{remittance['id']}").get_json()["status"] == "closed"
