"""A resident with her own key: her record, her receipts with their history, her meters' readings — of
the times she held the unit only; the previous or next owner's are not hers, and another key has no /me."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests.api_client import Caller, key_for
from tests.integration.published import publish, today
from tests.integration.test_api_settlement_flow import community_tenant

IBAN = "ES91 2100 0418 4502 0005 1332"
READ_ON = ("2026-01-01", "2026-03-31", "2026-06-30")


def sold_flat(manager: Caller, community: dict[str, Any]) -> dict[str, Any]:
    """Flat 1A, sold on 1 April 2026 by Rosa to Juan, and 1B, Luis's; a heating meter each, read at
    every quarter's end; the first and second quarters' settlements published."""
    base = f"/v1/communities/{community['id']}/units"
    units = {code: manager.created(base, {"code": code, "coefficient": "50"})["id"] for code in ("1A", "1B")}
    meters = {}
    for code, values in {"1A": ("100", "160", "200"), "1B": ("10", "20", "25")}.items():
        meters[code] = manager.created(
            "/v1/meters", {"unit_id": units[code], "serial": f"HC-{code}", "service": "heating"}
        )["id"]
        readings = [
            {"meter_id": meters[code], "date": day, "value": value}
            for day, value in zip(READ_ON, values, strict=True)
        ]
        manager.created("/v1/readings", {"readings": readings})
    people = {
        "rosa": {
            "name": "Rosa Díaz",
            "email": "rosa@example.org",
            "language": "ca",
            "iban": IBAN,
            "tax_id": "12345678Z",
            "mandate_id": "M-1",
            "units": [{"unit_id": units["1A"], "since": "2020-01-01", "until": "2026-03-31"}],
        },
        "juan": {"name": "Juan Pérez", "units": [{"unit_id": units["1A"], "since": "2026-04-01"}]},
        "luis": {"name": "Luis Gil", "units": [{"unit_id": units["1B"]}]},
    }
    ids = {name: manager.created("/v1/residents", body)["id"] for name, body in people.items()}
    q1 = publish(manager, community["id"], "2026-01-01", "2026-03-31")
    q2 = publish(manager, community["id"], "2026-04-01", "2026-06-30")
    return {"units": units, "residents": ids, "q1": q1, "q2": q2}


def key_of(app: Flask, components: Components, community: dict[str, Any], resident: str) -> Caller:
    tenant = community_tenant(components, community)
    return Caller(app.test_client(), key_for(components, Role.RESIDENT, tenant, resident))


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [r["id"] for r in response.get_json()]


def test_a_previous_owner_sees_her_own_receipts_and_readings_and_not_the_new_owners(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    world = sold_flat(manager, community)
    rosa, juan, luis = (
        key_of(app, components, community, world["residents"][n]) for n in ("rosa", "juan", "luis")
    )
    q1_1a, q1_1b = world["q1"]
    q2_1a, q2_1b = world["q2"]

    assert ids(rosa.get("/v1/me/receipts")) == [q1_1a["id"]]
    assert ids(juan.get("/v1/me/receipts")) == [q2_1a["id"]]
    assert sorted(ids(luis.get("/v1/me/receipts"))) == sorted([q1_1b["id"], q2_1b["id"]])
    for theirs in (q2_1a, q1_1b):
        assert rosa.get(f"/v1/me/receipts/{theirs['id']}").status_code == 404
        assert rosa.get(f"/v1/receipts/{theirs['id']}/events").status_code == 404
    assert juan.get(f"/v1/me/receipts/{q1_1a['id']}").status_code == 404

    def readings(caller: Caller) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
        response = caller.get("/v1/me/readings")
        assert response.status_code == 200, response.get_json()
        return [
            (m["serial"], m["service"], m["unit_code"], [(r["date"], r["value"]) for r in m["readings"]])
            for m in response.get_json()
        ]

    assert readings(rosa) == [("HC-1A", "heating", "1A", [("2026-01-01", "100"), ("2026-03-31", "160")])]
    assert readings(juan) == [("HC-1A", "heating", "1A", [("2026-06-30", "200")])]
    assert readings(luis) == [
        ("HC-1B", "heating", "1B", [("2026-01-01", "10"), ("2026-03-31", "20"), ("2026-06-30", "25")])
    ]


def test_a_resident_reads_her_record_with_the_iban_masked_and_the_units_she_held(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    world = sold_flat(manager, community)
    rosa = key_of(app, components, community, world["residents"]["rosa"])
    me = rosa.get("/v1/me")
    assert me.status_code == 200, me.get_json()
    assert me.get_json() == {
        "id": world["residents"]["rosa"],
        "name": "Rosa Díaz",
        "email": "rosa@example.org",
        "language": "ca",
        "iban": "ES91 **** **** **** **** 1332",
        "units": [
            {
                "unit_id": world["units"]["1A"],
                "code": "1A",
                "kind": "dwelling",
                "community": {
                    "id": community["id"],
                    "code": "C0012",
                    "name": "CP Calle Mayor 12",
                    "address": None,
                },
                "role": "owner",
                "since": "2020-01-01",
                "until": "2026-03-31",
            }
        ],
    }
    assert "2100" not in me.get_data(as_text=True).replace(" ", "")


def test_a_resident_reads_one_receipt_with_its_history_and_lists_hers_with_the_receipt_filters(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    world = sold_flat(manager, community)
    luis = key_of(app, components, community, world["residents"]["luis"])
    q1_1b, q2_1b = world["q1"][1], world["q2"][1]
    for type, reason in (("presented", None), ("returned", "MD06")):
        sent = manager.post(
            f"/v1/receipts/{q1_1b['id']}/events", {"type": type, "on": today(), "reason": reason}
        )
        assert sent.status_code == 201, sent.get_json()

    one = luis.get(f"/v1/me/receipts/{q1_1b['id']}")
    assert one.status_code == 200, one.get_json()
    body = one.get_json()
    assert {k: body[k] for k in ("id", "status", "total", "detail")} == {
        **{
            k: v
            for k, v in manager.get(f"/v1/receipts/{q1_1b['id']}").get_json().items()
            if k in ("id", "total", "detail")
        },
        "status": "returned",
    }
    assert [(e["seq"], e["type"], e["reason"]) for e in body["history"]] == [
        (1, "issued", None),
        (2, "presented", None),
        (3, "returned", "MD06"),
    ]
    assert luis.get(f"/v1/receipts/{q1_1b['id']}/events").get_json() == body["history"]

    assert ids(luis.get("/v1/me/receipts?status=returned")) == [q1_1b["id"]]
    assert ids(luis.get(f"/v1/me/receipts?settlement_id={q2_1b['settlement_id']}")) == [q2_1b["id"]]
    assert ids(luis.get(f"/v1/me/receipts?unit_id={world['units']['1A']}")) == []
    page = luis.get("/v1/me/receipts?page_size=1")
    assert len(page.get_json()) == 1
    assert json.loads(page.headers["X-Pagination"])["total"] == 2
    assert luis.get("/v1/me/receipts?status=lost").status_code == 422


def test_only_a_resident_key_has_a_me(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    tenant = community_tenant(components, community)
    callers = [manager, Caller(app.test_client(), key_for(components, Role.INTEGRATION, tenant))]
    callers.append(Caller(app.test_client(), key_for(components, Role.SUPPORT)))
    for caller in callers:
        for path in ("/v1/me", "/v1/me/receipts", "/v1/me/readings", "/v1/me/receipts/any"):
            refused = caller.get(path)
            assert refused.status_code == 403, path
            assert "resident" in refused.get_json()["errors"][0]["message"]
