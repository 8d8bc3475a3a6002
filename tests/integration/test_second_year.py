"""A second year of files for the same community — a change of owner and a replaced meter — imports into one
history: readings chain from last year, and each owner reads only the receipts of the time they held
the flat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests.api_client import Caller, key_for


def year(manager: Caller, community: dict[str, Any], period: tuple[str, str], amount: str) -> dict[str, Any]:
    terms = {
        "community_id": community["id"],
        "service": "heating",
        "period": {"from": period[0], "to": period[1]},
        "consumption_share": "1",
        "costs": [{"concept": "Gasóleo", "amount": amount}],
    }
    return manager.created("/v1/settlements", terms)


def imported(manager: Caller, drain: Callable[[], None], community: dict[str, Any], *rows: str) -> None:
    content = ("\n".join(rows) + "\n").encode()
    sent = manager.upload("/v1/imports", content, "lecturas.csv", community_id=community["id"])
    assert sent.status_code == 202, sent.get_json()
    drain()
    job = manager.get(sent.get_json()["url"]).get_json()
    assert job["status"] == "settled", job


def resident_key(app: Flask, components: Components, manager: Caller, tax_id: str) -> Caller:
    [person] = [r for r in manager.get("/v1/residents").get_json() if r["tax_id"] == tax_id]
    with components.unit_of_work() as uow:
        tenant = uow.residents.get(None, person["id"])
    assert tenant is not None
    return Caller(app.test_client(), key_for(components, Role.RESIDENT, tenant.tenant_id, person["id"]))


def receipts_of(caller: Caller) -> list[tuple[str, str, str]]:
    found = caller.get("/v1/receipts").get_json()
    return sorted((r["detail"]["unit"], r["settlement_id"], r["total"]) for r in found)


def test_a_second_year_with_a_new_owner_and_a_new_meter_is_one_history(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    first = year(manager, community, ("2025-01-01", "2025-12-31"), "1000.00")
    imported(
        manager,
        drain,
        community,
        "Vivienda;Propietario;NIF;Coeficiente;Contador;Fecha;Lectura anterior;Lectura actual",
        "1A;Ana García;11111111H;50;H-1A;2025-12-31;100;400",
        "1B;Luis Pérez;22222222J;50;H-1B;2025-12-31;200;300",
    )
    published = manager.post(f"/v1/settlements/{first['id']}/publish")
    assert published.status_code == 201, published.get_json()
    assert [r["total"] for r in published.get_json()["receipts"]] == ["750.00", "250.00"]

    [old_meter] = [m for m in manager.get("/v1/meters").get_json() if m["serial"] == "H-1B"]
    replaced = manager.post(
        f"/v1/meters/{old_meter['id']}/replacement",
        {"date": "2026-06-30", "final_reading": "350", "new_serial": "H-1B2", "initial_reading": "0"},
    )
    assert replaced.status_code == 201, replaced.get_json()
    second = year(manager, community, ("2026-01-01", "2026-12-31"), "1200.00")
    imported(  # only this year's readings: last year's are the starting point
        manager,
        drain,
        community,
        "Vivienda;Propietario;NIF;Coeficiente;Contador;Fecha;Lectura actual",
        "1A;Marta Ruiz;33333333P;50;H-1A;2026-12-31;700",
        "1B;Luis Pérez;22222222J;50;H-1B2;2026-12-31;80",
    )
    preview = manager.post(f"/v1/settlements/{second['id']}/preview").get_json()
    assert [r["consumption"] for r in preview["receipts"]] == ["300", "130"]  # 700−400; (350−300)+(80−0)
    assert manager.post(f"/v1/settlements/{second['id']}/publish").status_code == 201

    residents = manager.get("/v1/residents").get_json()
    assert sorted(r["name"] for r in residents) == ["Ana García", "Luis Pérez", "Marta Ruiz"]
    ana, marta, luis = (
        resident_key(app, components, manager, t) for t in ("11111111H", "33333333P", "22222222J")
    )
    assert [(u, s) for u, s, _ in receipts_of(ana)] == [("1A", first["id"])]
    assert [(u, s) for u, s, _ in receipts_of(marta)] == [("1A", second["id"])]
    assert [(u, s) for u, s, _ in receipts_of(luis)] == sorted([("1B", first["id"]), ("1B", second["id"])])
