"""A management system's whole flow over REST: community, units, residents, meters, readings,
settlement preview and publish, receipts — and what a resident then sees."""

from __future__ import annotations

from typing import Any

from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests.api_client import Caller, key_for

IBAN = "ES91 2100 0418 4502 0005 1332"


def build_community(manager: Caller, community: dict[str, Any]) -> dict[str, str]:
    base = f"/v1/communities/{community['id']}/units"
    units = {
        code: manager.created(base, {"code": code, "coefficient": coefficient, "area": area})["id"]
        for code, coefficient, area in (("1A", "40", "80"), ("1B", "35", "70"), ("Local", "25", "50"))
    }
    for code, (start, end) in {"1A": ("100", "160"), "1B": ("50.5", "90.5")}.items():
        meter = manager.created(
            "/v1/meters", {"unit_id": units[code], "serial": f"HC-{code}", "service": "heating"}
        )
        batch = {
            "readings": [
                {"meter_id": meter["id"], "date": "2026-01-01", "value": start},
                {"meter_id": meter["id"], "date": "2026-03-31", "value": end},
            ]
        }
        manager.created("/v1/readings", batch)
    return units


def test_a_manager_goes_from_community_to_published_receipts(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    units = build_community(manager, community)
    resident = manager.created(
        "/v1/residents",
        {
            "name": "Rosa Díaz",
            "email": "rosa@example.org",
            "language": "es",
            "external_id": "res-1",
            "iban": IBAN,
            "mandate_id": "M-1",
            "mandate_signed_on": "2024-05-01",
            "units": [{"unit_id": units["1A"], "role": "owner", "since": "2020-01-01"}],
        },
    )
    assert resident["iban"] == "ES9121000418450200051332"
    settlement = manager.created(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "consumption_share": "0.70",
            "costs": [{"concept": "Gas", "amount": "1000.00"}],
        },
    )
    assert settlement["status"] == "draft"

    preview = manager.post(f"/v1/settlements/{settlement['id']}/preview")
    assert preview.status_code == 200, preview.get_json()
    totals = {r["unit"]: r["total"] for r in preview.get_json()["receipts"]}
    assert totals == {"1A": "540.00", "1B": "385.00", "Local": "75.00"}

    published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
    assert published.status_code == 201, published.get_json()
    assert published.get_json()["settlement"]["status"] == "published"
    again = manager.post(f"/v1/settlements/{settlement['id']}/publish")
    assert again.status_code == 409

    receipts = manager.get(f"/v1/receipts?settlement_id={settlement['id']}").get_json()
    assert sorted(r["total"] for r in receipts) == ["385.00", "540.00", "75.00"]
    own = next(r for r in receipts if r["unit_id"] == units["1A"])
    assert own["detail"]["meters"][0]["consumption"] == "60"
    assert [line["amount"] for line in own["detail"]["lines"]] == ["420.00", "120.00"]

    as_resident = Caller(
        app.test_client(),
        key_for(components, Role.RESIDENT, community_tenant(components, community), resident["id"]),
    )
    visible = as_resident.get("/v1/receipts").get_json()
    assert [r["id"] for r in visible] == [own["id"]]
    other = next(r for r in receipts if r["unit_id"] != units["1A"])
    assert as_resident.get(f"/v1/receipts/{other['id']}").status_code == 404
    assert as_resident.get(f"/v1/receipts/{own['id']}").status_code == 200


def community_tenant(components: Components, community: dict[str, Any]) -> str:
    with components.unit_of_work() as uow:
        found = uow.communities.get(None, community["id"])
        assert found is not None
        return found.tenant_id


def test_preview_computes_from_readings_in_the_body(manager: Caller, community: dict[str, Any]) -> None:
    build_community(manager, community)
    settlement = manager.created(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "costs": [{"concept": "Gas", "amount": "100.00"}],
        },
    )
    body = {
        "readings": [
            {"unit": "1a", "meter": "X", "consumption": "3"},
            {"unit": "1B", "meter": "Y", "consumption": "1"},
        ]
    }
    preview = manager.post(f"/v1/settlements/{settlement['id']}/preview", body)
    assert preview.status_code == 200, preview.get_json()
    assert [r["total"] for r in preview.get_json()["receipts"]] == ["75.00", "25.00", "0.00"]
    unknown = manager.post(
        f"/v1/settlements/{settlement['id']}/preview", {"readings": [{"unit": "9Z", "consumption": "1"}]}
    )
    assert unknown.status_code == 422
    assert [e["code"] for e in unknown.get_json()["errors"]] == ["unknown_unit"]


def test_bulk_readings_replay_returns_the_first_answer_and_adds_no_row(
    manager: Caller, community: dict[str, Any]
) -> None:
    unit = manager.created(f"/v1/communities/{community['id']}/units", {"code": "2A", "coefficient": "1"})
    meter = manager.created("/v1/meters", {"unit_id": unit["id"], "serial": "W-1", "service": "cold_water"})
    batch = {"readings": [{"meter_id": meter["id"], "date": "2026-06-30", "value": "12.5"}]}
    first = manager.post("/v1/readings", batch, headers={"Idempotency-Key": "batch-1"})
    replay = manager.post("/v1/readings", batch, headers={"Idempotency-Key": "batch-1"})
    assert first.status_code == replay.status_code == 201
    assert first.get_json() == replay.get_json()
    assert len(first.get_json()["created"]) == 1
    stored = manager.get(f"/v1/readings?meter_id={meter['id']}").get_json()
    assert len(stored) == 1
    # Without a key, the same reading again is recognised, and a different value for that day refused.
    assert manager.post("/v1/readings", batch).get_json() == {"created": [], "unchanged": 1}
    changed = {"readings": [{"meter_id": meter["id"], "date": "2026-06-30", "value": "13"}]}
    refused = manager.post("/v1/readings", changed)
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "readings[0].value"
    other = manager.post("/v1/readings", changed, headers={"Idempotency-Key": "batch-1"})
    assert other.status_code == 422
    assert other.get_json()["errors"][0]["code"] == "idempotency_key_reused"
