"""A file's community columns give the community its creditor details — the account collections are
paid into, its bank's BIC and its SEPA creditor identifier — checked as the API checks them: a value
that fails is a row error and leaves the community's stored one alone, and so do two values for one
community. An IBAN column alone still means the owner's. CSV and workbooks, uploaded or dropped."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.config.bootstrap import Components
from prorata.entrypoints.watcher import DropWatcher
from tests import workbooks
from tests.api_client import Caller

IBAN = "ES9121000418450200051332"
OTHER_IBAN = "ES7921000813610123456789"
OWNER_IBAN = "ES8800490000051234567892"
STORED_IBAN = "ES6000491500051234567892"
WRONG_CONTROL_DIGITS = "ES2921000418460200051332"  # its IBAN check digits fit; its account's "DC" do not
CREDITOR_ID = "ES97000B12345678"
OTHER_CREDITOR_ID = "ES08000H28123456"


def csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def imported(
    manager: Caller, drain: Callable[[], None], content: bytes, name: str, **form: str
) -> dict[str, Any]:
    sent = manager.upload("/v1/imports", content, name, **form)
    assert sent.status_code in (200, 202), sent.get_json()
    drain()
    job: dict[str, Any] = manager.get(sent.get_json()["url"]).get_json()
    return job


def errors_of(manager: Caller, job: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = manager.get(f"{job['url']}/errors").get_json()
    return found


def community_coded(manager: Caller, code: str) -> dict[str, Any]:
    communities: list[dict[str, Any]] = manager.get("/v1/communities").get_json()
    (found,) = [c for c in communities if c["code"] == code]
    return found


def test_a_files_community_columns_give_a_new_community_its_account_bank_and_creditor_id(
    manager: Caller, drain: Callable[[], None]
) -> None:
    content = csv(
        "Código comunidad;Nombre comunidad;IBAN comunidad;BIC comunidad;Identificador acreedor;"
        "Vivienda;Propietario;IBAN;Lectura anterior;Lectura actual",
        f"C0777;CP Mayor 7;ES91 2100 0418 4502 0005 1332;caixesbbxxx;ES97 000 B12345678;"
        f"1A;Rosa Díaz;{OWNER_IBAN};0;30",
        f"C0777;CP Mayor 7;{IBAN};CAIXESBBXXX;{CREDITOR_ID};1B;Jordi Puig;;0;10",
    )
    job = imported(manager, drain, content, "lecturas.csv")
    assert job["status"] == "awaiting_costs", job
    assert errors_of(manager, job) == []
    community = community_coded(manager, "C0777")
    assert (community["name"], community["iban"], community["bic"], community["creditor_id"]) == (
        "CP Mayor 7",
        IBAN,
        "CAIXESBBXXX",
        CREDITOR_ID,
    )
    (rosa,) = [r for r in manager.get("/v1/residents").get_json() if r["name"] == "Rosa Díaz"]
    assert rosa["iban"] == OWNER_IBAN  # the IBAN column is the owner's, as ever


def test_a_workbooks_communities_sheet_sets_an_existing_communitys_creditor_details(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    path = workbooks.xlsx(
        tmp_path / "export.xlsx",
        {
            "Lecturas": [
                ["Cód. comunidad", "Vivienda", "Lectura anterior", "Lectura actual"],
                ["C0012", "1A", 0, 30],
            ],
            "Comunidades": [
                ["Cód. comunidad", "Comunidad", "Cuenta de la comunidad", "ICS"],
                ["C0012", "CP Calle Mayor 12", IBAN, CREDITOR_ID],
            ],
        },
    )
    job = imported(manager, drain, path.read_bytes(), "export.xlsx")
    assert job["status"] == "awaiting_costs", job
    assert errors_of(manager, job) == []
    now = manager.get(f"/v1/communities/{community['id']}").get_json()
    assert (now["iban"], now["bic"], now["creditor_id"]) == (IBAN, None, CREDITOR_ID)


def test_a_creditor_value_the_api_would_refuse_is_a_row_error_and_the_stored_one_stays(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    stored = {"iban": IBAN, "bic": "CAIXESBBXXX", "creditor_id": CREDITOR_ID}
    assert manager.patch(f"/v1/communities/{community['id']}", stored).status_code == 200
    path = workbooks.xlsx(
        tmp_path / "export.xlsx",
        {
            "Lecturas": [
                [
                    "Comunidad",
                    "Vivienda",
                    "Lectura anterior",
                    "Lectura actual",
                    "IBAN comunidad",
                    "BIC comunidad",
                    "Gläubiger-ID",
                ],
                ["CP Calle Mayor 12", "1A", 0, 30, WRONG_CONTROL_DIGITS, "CAIXES", "ES96000B12345678"],
            ]
        },
    )
    job = imported(manager, drain, path.read_bytes(), "export.xlsx", community_id=community["id"])
    assert job["status"] == "awaiting_costs", job
    errors = {e["column"]: e for e in errors_of(manager, job)}
    assert sorted(errors) == ["BIC comunidad", "Gläubiger-ID", "IBAN comunidad"], errors
    for column, error in errors.items():
        assert error["row"] == 2
        assert error["message"].startswith(f"export.xlsx, sheet 'Lecturas', row 2, column '{column}': "), (
            error
        )
        assert "C0012" in error["message"]
    assert "national checksum" in errors["IBAN comunidad"]["message"]
    assert "check digits" in errors["Gläubiger-ID"]["message"]
    assert "is not a BIC" in errors["BIC comunidad"]["message"]
    now = manager.get(f"/v1/communities/{community['id']}").get_json()
    assert {name: now[name] for name in stored} == stored


def test_two_values_of_one_column_for_one_community_are_a_row_error_and_the_stored_one_stays(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    assert manager.patch(f"/v1/communities/{community['id']}", {"iban": STORED_IBAN}).status_code == 200
    content = csv(
        "Cod comunidad;Vivienda;Lectura anterior;Lectura actual;IBAN comunidad;Identificador acreedor",
        f"C0012;1A;0;30;{IBAN};{CREDITOR_ID}",
        f"C0012;1B;0;10;{IBAN};{CREDITOR_ID}",
        f"C0012;1C;0;10;{OTHER_IBAN};{OTHER_CREDITOR_ID}",
    )
    job = imported(manager, drain, content, "lecturas.csv")
    errors = errors_of(manager, job)
    by_column = {e["column"]: e for e in errors}
    assert sorted(by_column) == ["IBAN comunidad", "Identificador acreedor"], errors
    assert {e["row"] for e in errors} == {4}
    assert f"{IBAN} (sheet 'lecturas', row 2)" in by_column["IBAN comunidad"]["message"]
    now = manager.get(f"/v1/communities/{community['id']}").get_json()
    assert (now["iban"], now["creditor_id"]) == (STORED_IBAN, None)


def test_a_file_dropped_by_sftp_sets_the_creditor_details_too(
    components: Components, tenant: str, manager: Caller, drain: Callable[[], None]
) -> None:
    username = f"c{uuid.uuid4().hex[:12]}"
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
    home = components.settings.drop_root / username
    home.mkdir(parents=True)
    dropped = home / "lecturas.csv"
    dropped.write_bytes(
        csv(
            "Código comunidad;Nombre comunidad;IBAN comunidad;Creditor ID;Vivienda;Lectura actual",
            f"C0888;CP Mayor 8;{IBAN};{CREDITOR_ID};1A;30",
        )
    )
    DropWatcher(components, components.settings.drop_root, stable_seconds=0).consider(dropped)
    drain()
    community = community_coded(manager, "C0888")
    assert (community["iban"], community["creditor_id"]) == (IBAN, CREDITOR_ID)
