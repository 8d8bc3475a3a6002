"""Remittances over REST: a community's receipts sent to its bank for collection by SEPA direct debit,
the pain.008 file a bank takes (valid against its XSD), the rules of the date and of one open
remittance per receipt, and cancelling before the date."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from sqlalchemy import select

from prorata.adapters.sql import tables
from prorata.application.remittances import RemittanceRequest, collection_date_of, create_remittance
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from prorata.domain.collection.calendar import is_business_day
from prorata.domain.collection.remittance import NothingToCollect, SequenceType
from prorata.domain.collection.rules import earliest_collection
from prorata.domain.collection.sepa_file import PainVersion
from prorata.domain.ports.repository import Conflict
from tests.api_client import Caller, key_for, new_tenant
from tests.integration.published import publish
from tests.integration.test_api_settlement_flow import build_community
from tests.integration.test_api_settlement_flow import community_tenant as tenant_of
from tests.integration.test_receipt_move_race import MeetingClock
from tests.unit.test_collection_pain008 import schema

COMMUNITY_IBAN = "ES91 2100 0418 4502 0005 1332"
CREDITOR_ID = "ES97000B12345678"
ROSA_IBAN = "ES7421000000610123456789"
JORDI_IBAN = "ES8800490000051234567892"
WRONG_CONTROL_DIGITS = "ES2921000418460200051332"  # its IBAN check digits fit; its account's "DC" do not
PAIN008 = "{urn:iso:std:iso:20022:tech:xsd:pain.008.001.02}"


def today() -> date:
    return datetime.now(UTC).date()


def collection_day(agreed: int | None = None) -> str:
    return earliest_collection(today(), agreed).isoformat()


def collecting(manager: Caller, community: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The settlement flow's community as a creditor, its units' owners — Rosa (1A) and Jordi (1B) with
    an IBAN and a mandate, Bar Pepe (Local) with neither — and one published settlement's receipts, by
    unit code."""
    units = build_community(manager, community)
    patched = manager.patch(
        f"/v1/communities/{community['id']}", {"iban": COMMUNITY_IBAN, "creditor_id": CREDITOR_ID}
    )
    assert patched.status_code == 200, patched.get_json()
    for code, name, iban, mandate in (
        ("1A", "Rosa Díaz", ROSA_IBAN, "M-1"),
        ("1B", "Jordi Puig", JORDI_IBAN, "M-2"),
        ("Local", "Bar Pepe SL", None, None),
    ):
        manager.created(
            "/v1/residents",
            {
                "name": name,
                "iban": iban,
                "mandate_id": mandate,
                "mandate_signed_on": "2024-05-01" if mandate else None,
                "units": [{"unit_id": units[code], "role": "owner", "since": "2020-01-01"}],
            },
        )
    receipts = publish(manager, community["id"])
    return dict(zip(("1A", "1B", "Local"), receipts, strict=True))


def remit(manager: Caller, community: dict[str, Any], **asked: Any) -> Any:
    return manager.post(
        f"/v1/communities/{community['id']}/remittances", {"collection_date": collection_day(), **asked}
    )


def remitted(manager: Caller, community: dict[str, Any], **asked: Any) -> dict[str, Any]:
    response = remit(manager, community, **asked)
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def status_of(manager: Caller, receipt: dict[str, Any]) -> str:
    found: str = manager.get(f"/v1/receipts/{receipt['id']}").get_json()["status"]
    return found


def history(manager: Caller, receipt: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = manager.get(f"/v1/receipts/{receipt['id']}/events").get_json()
    return found


def test_a_remittance_sends_every_issued_receipt_whose_payer_has_an_iban_and_a_mandate(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    key = {"Idempotency-Key": "remittance-2026-q1"}
    path = f"/v1/communities/{community['id']}/remittances"
    first = manager.post(path, {"collection_date": collection_day()}, headers=key)
    assert first.status_code == 201, first.get_json()
    made = first.get_json()
    assert (made["status"], made["count"], made["total"], made["scheme"]) == ("open", 2, "925.00", "CORE")
    assert made["collection_date"] == collection_day()
    assert made["excluded"] == [{"receipt_id": receipts["Local"]["id"], "reason": "no_iban"}]
    assert made["message_id"].startswith("PRT-")
    assert len(made["message_id"]) <= 35
    assert made["creditor"] == {
        "name": "CP Calle Mayor 12", "iban": "ES9121000418450200051332", "bic": "CAIXESBB",
        "creditor_id": CREDITOR_ID,
    }  # fmt: skip
    assert made["file_url"] == f"/v1/remittances/{made['id']}/pain.008.xml"
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B", "Local")] == [
        "in_collection", "in_collection", "issued",
    ]  # fmt: skip
    presented = history(manager, receipts["1A"])[-1]
    assert (presented["type"], presented["status"]) == ("presented", "in_collection")
    assert collection_day() in presented["note"]
    with components.unit_of_work() as uow:  # the debit date the resident's pre-notification tells
        assert collection_date_of(
            uow, tenant_of(components, community), presented["id"]
        ) == date.fromisoformat(collection_day())
    assert made["message_id"] in presented["note"]
    # The same request with its key: the first answer, nothing moved again.
    again = manager.post(path, {"collection_date": collection_day()}, headers=key)
    assert (again.status_code, again.get_json()) == (201, made)
    assert len(history(manager, receipts["1A"])) == 2
    with components.engine.connect() as connection:
        told = [
            p for (p,) in connection.execute(select(tables.outbox.c.payload))
            if p.get("type") == "presented" and p["receipt_id"] in {r["id"] for r in receipts.values()}
        ]  # fmt: skip
    assert sorted(t["receipt_id"] for t in told) == sorted([receipts["1A"]["id"], receipts["1B"]["id"]])

    listed = manager.get(f"/v1/remittances?community_id={community['id']}").get_json()
    assert [r["id"] for r in listed] == [made["id"]]
    detail = manager.get(f"/v1/remittances/{made['id']}").get_json()
    assert {k: v for k, v in detail.items() if k != "items"} == made
    by_number = {i["end_to_end_id"]: i for i in detail["items"]}
    assert set(by_number) == {receipts["1A"]["number"], receipts["1B"]["number"]}
    rosa = by_number[receipts["1A"]["number"]]
    assert (rosa["receipt_id"], rosa["amount"], rosa["sequence_type"]) == (
        receipts["1A"]["id"],
        "540.00",
        "FRST",
    )
    assert (rosa["payer_name"], rosa["mandate_id"], rosa["at_bank"]) == ("Rosa Díaz", "M-1", True)
    assert rosa["iban"] == "ES74 **** **** **** **** 6789"  # no API answer shows a payer's whole IBAN
    assert ROSA_IBAN not in str(detail)
    assert JORDI_IBAN not in str(detail)


def test_the_file_validates_against_its_xsd_in_both_versions_and_debits_each_receipt_once(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    made = remitted(manager, community)
    downloads = {}
    for version in PainVersion:
        response = manager.get(f"{made['file_url']}?version={version.value}")
        assert response.status_code == 200, response.get_json()
        assert response.mimetype == "application/xml"
        assert f"pain.008.{version.value}" in response.headers["Content-Disposition"]
        schema(version).validate(response.data.decode())
        downloads[version] = response.data
    assert manager.get(made["file_url"]).data == downloads[PainVersion.V02]  # 001.02 unless asked; the same
    root = ElementTree.fromstring(downloads[PainVersion.V02])
    assert root.findtext(f".//{PAIN008}GrpHdr/{PAIN008}MsgId") == made["message_id"]
    assert root.findtext(f".//{PAIN008}ReqdColltnDt") == collection_day()
    transactions = {
        t.findtext(f"{PAIN008}PmtId/{PAIN008}EndToEndId") or "": t
        for t in root.iter(f"{PAIN008}DrctDbtTxInf")
    }
    assert sorted(transactions) == sorted([receipts["1A"]["number"], receipts["1B"]["number"]])
    rosa = transactions[receipts["1A"]["number"]]
    assert rosa.findtext(f"{PAIN008}InstdAmt") == "540.00"
    assert rosa.findtext(f"{PAIN008}DbtrAcct/{PAIN008}Id/{PAIN008}IBAN") == ROSA_IBAN  # the bank needs it all
    assert rosa.findtext(f"{PAIN008}DrctDbtTx/{PAIN008}MndtRltdInf/{PAIN008}DtOfSgntr") == "2024-05-01"
    assert rosa.findtext(f"{PAIN008}RmtInf/{PAIN008}Ustrd") == (
        f"CP Calle Mayor 12 Calefaccion 01/01/2026-31/03/2026 Recibo {receipts['1A']['number']}"
    )
    assert manager.get(f"{made['file_url']}?version=001.03").status_code == 422


def test_a_mandates_next_collection_is_recurrent(manager: Caller, community: dict[str, Any]) -> None:
    first = collecting(manager, community)
    remitted(manager, community)
    for unit in ("1A", "1B"):
        manager.created(
            f"/v1/receipts/{first[unit]['id']}/events", {"type": "paid", "on": today().isoformat()}
        )
    fixed_costs = {
        "community_id": community["id"],
        "service": "other",
        "period": {"from": "2026-04-01", "to": "2026-06-30"},
        "consumption_share": "0",
        "costs": [{"concept": "Limpieza", "amount": "300.00"}],
    }
    settlement = manager.created("/v1/settlements", fixed_costs)
    assert manager.post(f"/v1/settlements/{settlement['id']}/publish").status_code == 201
    second = remitted(manager, community)
    detail = manager.get(f"/v1/remittances/{second['id']}").get_json()
    assert {i["sequence_type"] for i in detail["items"]} == {SequenceType.RCUR.value}
    assert second["count"] == 2


def test_receipts_whose_payer_cannot_be_debited_are_left_out_saying_why(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    residents = {r["name"]: r for r in manager.get("/v1/residents").get_json()}
    manager.patch(f"/v1/residents/{residents['Jordi Puig']['id']}", {"iban": WRONG_CONTROL_DIGITS})
    manager.patch(f"/v1/residents/{residents['Bar Pepe SL']['id']}", {"iban": JORDI_IBAN})
    made = remitted(manager, community)
    assert made["count"] == 1
    assert sorted((e["receipt_id"], e["reason"]) for e in made["excluded"]) == sorted(
        [(receipts["1B"]["id"], "invalid_iban"), (receipts["Local"]["id"], "no_mandate")]
    )
    # Asked for by id: one already at the bank and one that cannot be debited — nothing to collect.
    none = remit(manager, community, receipt_ids=[receipts["1A"]["id"], receipts["Local"]["id"]])
    assert none.status_code == 422
    error = none.get_json()["errors"][0]
    assert error["code"] == "nothing_to_collect"
    assert sorted(e["reason"] for e in error["excluded"]) == ["no_mandate", "not_collectable"]
    unknown = remit(manager, community, receipt_ids=[receipts["1B"]["id"], "no-such-receipt"])
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["field"] == "receipt_ids[1]"


def test_the_collection_date_is_a_business_day_at_least_the_prenotification_period_away(
    manager: Caller, community: dict[str, Any]
) -> None:
    collecting(manager, community)
    earliest = date.fromisoformat(collection_day())
    closed = next(
        earliest + timedelta(days=n)
        for n in range(1, 10)
        if not is_business_day(earliest + timedelta(days=n))
    )
    for asked in (closed, earliest - timedelta(days=1)):
        refused = remit(manager, community, collection_date=asked.isoformat())
        assert refused.status_code == 422, refused.get_json()
        error = refused.get_json()["errors"][0]
        assert (error["code"], error["field"]) == ("invalid_collection_date", "collection_date")
    agreed = manager.patch(f"/v1/communities/{community['id']}", {"prenotification_days": 2})
    assert agreed.get_json()["prenotification_days"] == 2
    sooner = collection_day(2)
    assert remitted(manager, community, collection_date=sooner)["collection_date"] == sooner


def test_a_receipt_is_in_one_open_remittance_at_most_and_a_cancelled_one_gives_them_back(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    made = remitted(manager, community)
    again = remit(manager, community, receipt_ids=[receipts["1A"]["id"]])
    assert again.get_json()["errors"][0]["excluded"] == [
        {"receipt_id": receipts["1A"]["id"], "reason": "not_collectable"}
    ]
    with components.unit_of_work() as uow:  # the database itself refuses a second open item
        item = uow.remittance_items.list(
            None, remittance_id=made["id"], receipt_id=receipts["1A"]["id"]
        ).items[0]
        with pytest.raises(Conflict):
            uow.remittance_items.add(replace(item, id=components.ids.new(), end_to_end_id="OTHER"))

    cancelled = manager.post(f"/v1/remittances/{made['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.get_json()
    assert cancelled.get_json()["status"] == "cancelled"
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B")] == ["issued", "issued"]
    assert [e["type"] for e in history(manager, receipts["1A"])] == ["issued", "presented", "withdrawn"]
    detail = manager.get(f"/v1/remittances/{made['id']}").get_json()
    assert {(i["at_bank"], i["outcome"]) for i in detail["items"]} == {(False, "withdrawn")}
    twice = manager.post(f"/v1/remittances/{made['id']}/cancel")  # again: as it is, nothing changes
    assert (twice.status_code, twice.get_json()) == (200, cancelled.get_json())
    assert len(history(manager, receipts["1A"])) == 3
    # Given back, they go in the next remittance — still a first collection of their mandates.
    following = remitted(manager, community)
    items = manager.get(f"/v1/remittances/{following['id']}").get_json()["items"]
    assert (following["count"], {i["sequence_type"] for i in items}) == (2, {"FRST"})


def test_a_community_collects_only_into_a_checked_account_under_a_checked_creditor_id(
    manager: Caller, community: dict[str, Any]
) -> None:
    path = f"/v1/communities/{community['id']}"
    for body, field in (
        ({"iban": WRONG_CONTROL_DIGITS}, "iban"),
        ({"iban": "ES91 2100 0418 4502 0005 1333"}, "iban"),
        ({"creditor_id": "ES96000B12345678"}, "creditor_id"),
        ({"bic": "CAIX"}, "bic"),
        ({"prenotification_days": -1}, "prenotification_days"),
    ):
        refused = manager.patch(path, body)
        assert refused.status_code == 422, body
        assert refused.get_json()["errors"][0]["field"] == field
    collecting_without_iban = remit(manager, community)
    assert collecting_without_iban.status_code == 422
    error = collecting_without_iban.get_json()["errors"][0]
    assert (error["code"], error["field"]) == ("creditor_incomplete", "iban")
    accepted = manager.patch(
        path,
        {"iban": "es91 2100 0418 4502 0005 1332", "bic": "caixesbbxxx", "creditor_id": "es97 000 b12345678"},
    )
    assert accepted.status_code == 200, accepted.get_json()
    assert {k: accepted.get_json()[k] for k in ("iban", "bic", "creditor_id")} == {
        "iban": "ES9121000418450200051332", "bic": "CAIXESBBXXX", "creditor_id": CREDITOR_ID,
    }  # fmt: skip


def test_another_tenants_remittances_are_not_found(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    collecting(manager, community)
    made = remitted(manager, community)
    stranger = Caller(app.test_client(), key_for(components, Role.MANAGER, new_tenant(components, "Otra")))
    for path in (f"/v1/remittances/{made['id']}", made["file_url"]):
        assert stranger.get(path).status_code == 404
    assert stranger.post(f"/v1/remittances/{made['id']}/cancel").status_code == 404
    assert remit(stranger, community).status_code == 404
    assert stranger.get("/v1/remittances").get_json() == []


def test_two_remittances_of_the_same_receipts_at_once_send_each_receipt_once(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    services = replace(components.services, clock=MeetingClock(components))
    caller = Principal(Role.MANAGER, tenant_of(components, community))
    asked = RemittanceRequest(date.fromisoformat(collection_day()))

    def one(_: int) -> Any:
        with components.tenant_unit_of_work(caller.tenant_id or "") as uow:
            try:
                return create_remittance(
                    uow, services, components.collection, caller, community["id"], asked, None,
                    lambda r: {"id": r.id},
                )  # fmt: skip
            except NothingToCollect as refused:
                return refused

    with ThreadPoolExecutor(2) as pool:
        made, lost = sorted(pool.map(one, [1, 2]), key=lambda a: isinstance(a, NothingToCollect))
    assert made[0] == 201
    assert isinstance(lost, NothingToCollect)
    # Tried again on the receipts as the winner left them: only the one it could not collect is left.
    assert [(e.receipt_id, e.reason.value) for e in lost.excluded] == [(receipts["Local"]["id"], "no_iban")]
    assert [e["type"] for e in history(manager, receipts["1A"])] == ["issued", "presented"]


def test_on_or_after_its_collection_date_a_remittance_is_not_cancelled_and_its_receipts_stay_at_the_bank(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    made = remitted(manager, community)
    for reached in (today(), today() - timedelta(days=1)):  # as if the days had gone by
        with components.unit_of_work() as uow:
            stored = uow.remittances.get(None, made["id"])
            assert stored is not None
            uow.remittances.update(replace(stored, collection_date=reached))
            uow.commit()
        refused = manager.post(f"/v1/remittances/{made['id']}/cancel")
        assert refused.status_code == 409, refused.get_json()
        assert refused.get_json()["errors"][0]["code"] == "collection_date_reached"
    assert manager.get(f"/v1/remittances/{made['id']}").get_json()["status"] == "open"
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B")] == ["in_collection", "in_collection"]


def test_names_a_bank_would_refuse_are_written_in_the_sepa_character_set_and_the_file_still_downloads(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    residents = {r["name"]: r for r in manager.get("/v1/residents").get_json()}
    manager.patch(f"/v1/residents/{residents['Rosa Díaz']['id']}", {"name": "Núñez & Çelik «Weiß»"})
    manager.patch(f"/v1/residents/{residents['Jordi Puig']['id']}", {"name": "😀"})
    manager.patch(f"/v1/communities/{community['id']}", {"name": "Comunitat Col·legi & Cía"})
    made = remitted(manager, community)
    for version in PainVersion:
        response = manager.get(f"{made['file_url']}?version={version.value}")
        assert response.status_code == 200, response.get_json()
        schema(version).validate(response.data.decode())
    root = ElementTree.fromstring(manager.get(made["file_url"]).data)
    debtors = {
        t.findtext(f"{PAIN008}PmtId/{PAIN008}EndToEndId"): t.findtext(f"{PAIN008}Dbtr/{PAIN008}Nm")
        for t in root.iter(f"{PAIN008}DrctDbtTxInf")
    }
    assert debtors == {
        receipts["1A"]["number"]: "Nunez + Celik ..Weiss..",
        receipts["1B"]["number"]: "NOTPROVIDED",
    }
    assert root.findtext(f".//{PAIN008}Cdtr/{PAIN008}Nm") == "Comunitat Col.legi + Cia"
    assert (root.findtext(f".//{PAIN008}RmtInf/{PAIN008}Ustrd") or "").startswith("Comunitat Col.legi + Cia ")
