"""Owners from files and over REST: one person across the tenant's units, ownerships with a start and an
end, and a resident's key reaching only the receipts of the periods she held the unit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests import workbooks
from tests.api_client import Caller, key_for

IBAN = "ES9121000418450200051332"
OTHER_IBAN = "ES7921000813610123456789"
ROSA, JUAN, LUIS = ("Rosa Díaz", "12345678Z"), ("Juan Pérez", "87654321X"), ("Luis Gil", "11111111H")
Owner = tuple[str, str | None, str | None]  # name, tax id, IBAN


def quarter_file(
    tmp_path: Path,
    read_on: str,
    owners: Mapping[str, Owner],
    tax_ids: bool = True,
    reading: int = 15,
) -> bytes:
    """A community's quarterly export: readings of the flats' meters on one day, the bill, and the units
    with their owners (name, tax id, IBAN)."""
    readings: list[list[Any]] = [
        ["Cod. Comunidad", "Vivienda", "Nº Contador", "Lectura anterior", "Lectura actual", "Fecha lectura"],
        ["P0001", "1A", "W-1A", 10, 20, read_on],
        ["P0001", "1B", "W-1B", 10, reading, read_on],
    ]
    costs: list[list[Any]] = [
        ["Cod. Comunidad", "Servicio", "Concepto", "Importe", "Parte consumo", "Reparto fijo"],
        ["P0001", "agua fría", "Agua", 100, 0, "coeficiente"],
    ]
    header = ["Cod. Comunidad", "Vivienda", "Coeficiente", "Propietario", "IBAN"]
    units: list[list[Any]] = [[*header, "NIF"] if tax_ids else header]
    for code, coefficient in (("1A", 50), ("1B", 30), ("Garaje 1", 20)):
        name, tax_id, iban = owners[code]
        units.append(["P0001", code, coefficient, name, iban, *([tax_id] if tax_ids else [])])
    path = workbooks.xlsx(
        tmp_path / f"export-{read_on.replace('/', '-')}-{reading}.xlsx",
        {"Lecturas": readings, "Gastos": costs, "Viviendas": units},
    )
    return path.read_bytes()


def imported(manager: Caller, drain: Callable[[], None], content: bytes, name: str) -> dict[str, Any]:
    sent = manager.upload("/v1/imports", content, name)
    assert sent.status_code == 202, sent.get_json()
    drain()
    done: dict[str, Any] = manager.get(sent.get_json()["url"]).get_json()
    assert done["status"] == "settled", done
    return done


def residents_by_name(manager: Caller) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in manager.get("/v1/residents?page_size=500").get_json()}


def unit_ids(manager: Caller) -> dict[str, str]:
    community = next(c for c in manager.get("/v1/communities").get_json() if c["code"] == "P0001")
    return {u["code"]: u["id"] for u in manager.get(f"/v1/communities/{community['id']}/units").get_json()}


def held(resident: dict[str, Any], units: dict[str, str]) -> set[tuple[str, str | None, str | None]]:
    codes = {id: code for code, id in units.items()}
    return {(codes[o["unit_id"]], o["since"], o["until"]) for o in resident["units"] if o["role"] == "owner"}


FIRST: dict[str, Owner] = {"1A": (*ROSA, IBAN), "1B": (*LUIS, None), "Garaje 1": (*ROSA, IBAN)}
SECOND: dict[str, Owner] = {"1A": (*JUAN, OTHER_IBAN), "1B": (*LUIS, None), "Garaje 1": (*ROSA, IBAN)}


@pytest.mark.parametrize(
    ("garage_owner", "tax_ids"),
    [
        (("DÍAZ, Rosa", ROSA[1], None), True),  # the tax id says who she is, whatever the name says
        (("rosa  diaz", None, IBAN), False),  # no tax id: the name (case, accents, spacing aside) and IBAN
        (("ROSA DÍAZ", None, None), False),  # a name alone, within the community
    ],
)
def test_the_owner_of_a_flat_and_its_garage_is_one_resident_with_two_occupancies(
    manager: Caller,
    drain: Callable[[], None],
    tmp_path: Path,
    garage_owner: Owner,
    tax_ids: bool,
) -> None:
    owners = {**FIRST, "Garaje 1": garage_owner}
    imported(manager, drain, quarter_file(tmp_path, "31/03/2026", owners, tax_ids), "q1.xlsx")
    people = residents_by_name(manager)
    assert sorted(people) == ["Luis Gil", "Rosa Díaz"]
    units = unit_ids(manager)
    # A file's ownership starts on the file's first day: its earliest reading.
    assert held(people["Rosa Díaz"], units) == {("1A", "2026-03-31", None), ("Garaje 1", "2026-03-31", None)}
    assert people["Rosa Díaz"]["tax_id"] == (ROSA[1] if tax_ids else None)


def test_one_tax_id_is_one_resident_across_the_tenants_communities(
    manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    rows: list[list[Any]] = [
        ["Cod. Comunidad", "Vivienda", "Coeficiente", "Propietario", "DNI"],
        ["P0001", "1A", 50, "Rosa Díaz", "12345678-z"],
        ["P0002", "Local 3", 10, "Rosa Diaz Ruiz", "12345678Z"],
        ["P0003", "2B", 10, "Rosa Díaz", None],  # a name alone, in another community: someone else
    ]
    path = workbooks.xlsx(tmp_path / "propietarios.xlsx", {"Propietarios": rows})
    sent = manager.upload("/v1/imports", path.read_bytes(), "propietarios.xlsx")
    assert sent.status_code == 202, sent.get_json()
    drain()
    residents = manager.get("/v1/residents?page_size=500").get_json()
    with_tax_id = [r for r in residents if r["tax_id"] == "12345678Z"]
    assert len(with_tax_id) == 1
    assert len(with_tax_id[0]["units"]) == 2
    assert len(residents) == 2


def test_a_later_file_naming_a_new_owner_ends_the_previous_ownership_the_day_before(
    manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    imported(manager, drain, quarter_file(tmp_path, "31/03/2026", FIRST), "q1.xlsx")
    imported(manager, drain, quarter_file(tmp_path, "30/06/2026", SECOND), "q2.xlsx")
    people, units = residents_by_name(manager), unit_ids(manager)
    assert sorted(people) == ["Juan Pérez", "Luis Gil", "Rosa Díaz"]
    assert held(people["Rosa Díaz"], units) == {
        ("1A", "2026-03-31", "2026-06-29"),
        ("Garaje 1", "2026-03-31", None),  # the garage stays hers
    }
    assert held(people["Juan Pérez"], units) == {("1A", "2026-06-30", None)}
    assert held(people["Luis Gil"], units) == {("1B", "2026-03-31", None)}
    # The first quarter's file sent again, corrected, changes nothing: it is older than what is known.
    imported(manager, drain, quarter_file(tmp_path, "31/03/2026", FIRST, reading=16), "q1-again.xlsx")
    assert residents_by_name(manager) == people


def test_each_owners_key_reads_the_receipts_of_the_periods_she_held_the_unit_and_no_others(
    app: Flask, components: Components, manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    quarters = [
        imported(manager, drain, quarter_file(tmp_path, "31/03/2026", FIRST), "q1.xlsx"),
        imported(manager, drain, quarter_file(tmp_path, "30/06/2026", SECOND), "q2.xlsx"),
    ]
    receipts: dict[tuple[int, str], str] = {}
    units = unit_ids(manager)
    codes = {id: code for code, id in units.items()}
    for number, job in enumerate(quarters, start=1):
        [settlement] = job["settlements"]
        published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
        assert published.status_code == 201, published.get_json()
        for receipt in manager.get(f"/v1/receipts?settlement_id={settlement['id']}").get_json():
            receipts[(number, codes[receipt["unit_id"]])] = receipt["id"]
    people = residents_by_name(manager)
    tenant = tenant_of(components, people["Rosa Díaz"]["id"])

    def key(name: str) -> Caller:
        return Caller(app.test_client(), key_for(components, Role.RESIDENT, tenant, people[name]["id"]))

    readable = {
        "Rosa Díaz": {(1, "1A"), (1, "Garaje 1"), (2, "Garaje 1")},
        "Juan Pérez": {(2, "1A")},
        "Luis Gil": {(1, "1B"), (2, "1B")},
    }
    for name, own in readable.items():
        caller = key(name)
        listed = {r["id"] for r in caller.get("/v1/receipts").get_json()}
        assert listed == {receipts[k] for k in own}, name
        for which, id in receipts.items():
            assert caller.get(f"/v1/receipts/{id}").status_code == (200 if which in own else 404), (
                name,
                which,
            )
        flat = {r["id"] for r in caller.get(f"/v1/receipts?unit_id={units['1A']}").get_json()}
        assert flat == {receipts[k] for k in own if k[1] == "1A"}, name


def tenant_of(components: Components, resident_id: str) -> str:
    with components.unit_of_work() as uow:
        found = uow.residents.get(None, resident_id)
        assert found is not None
        return found.tenant_id


def test_naming_a_new_owner_over_rest_ends_the_previous_ownership_the_day_before(
    manager: Caller, community: dict[str, Any]
) -> None:
    flat = manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    garage = manager.created(f"/v1/communities/{community['id']}/units", {"code": "G1", "coefficient": "1"})
    rosa = manager.created(
        "/v1/residents",
        {
            "name": "Rosa Díaz",
            "tax_id": "12345678-z",
            "units": [{"unit_id": flat["id"], "since": "2020-01-01"}, {"unit_id": garage["id"]}],
        },
    )
    assert rosa["tax_id"] == "12345678Z"
    juan = manager.created("/v1/residents", {"name": "Juan Pérez"})
    changed = manager.patch(
        f"/v1/residents/{juan['id']}", {"units": [{"unit_id": flat["id"], "since": "2026-04-01"}]}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["units"] == [
        {"unit_id": flat["id"], "role": "owner", "since": "2026-04-01", "until": None}
    ]
    after = manager.get(f"/v1/residents/{rosa['id']}").get_json()
    assert after["units"] == [  # oldest first
        {"unit_id": garage["id"], "role": "owner", "since": None, "until": None},
        {"unit_id": flat["id"], "role": "owner", "since": "2020-01-01", "until": "2026-03-31"},
    ]
    same = manager.post("/v1/residents", {"name": "Otra", "tax_id": "12345678Z"})
    assert same.status_code == 409  # one resident per tax id in a tenant
    backwards = manager.patch(
        f"/v1/residents/{juan['id']}",
        {"units": [{"unit_id": flat["id"], "since": "2026-04-01", "until": "2026-03-01"}]},
    )
    assert backwards.status_code == 422
    assert backwards.get_json()["errors"][0]["field"].startswith("units")


def test_an_owner_given_without_a_start_takes_over_today_not_back_to_the_previous_owners_time(
    manager: Caller, community: dict[str, Any]
) -> None:
    flat = manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    rosa = manager.created("/v1/residents", {"name": "Rosa", "units": [{"unit_id": flat["id"]}]})
    assert rosa["units"][0]["since"] is None  # the unit's first owner: since always
    today = datetime.now(UTC).date()
    ana = manager.created("/v1/residents", {"name": "Ana", "units": [{"unit_id": flat["id"]}]})
    assert (ana["units"][0]["since"], ana["units"][0]["until"]) == (today.isoformat(), None)
    [ended] = manager.get(f"/v1/residents/{rosa['id']}").get_json()["units"]
    assert (ended["since"], ended["until"]) == (None, (today - timedelta(days=1)).isoformat())
    # Naming her again as she is (as GET gave her) changes nobody.
    again = manager.patch(f"/v1/residents/{ana['id']}", {"units": ana["units"], "language": "ca"})
    assert again.get_json()["units"] == ana["units"]
    assert manager.get(f"/v1/residents/{rosa['id']}").get_json()["units"] == [ended]
