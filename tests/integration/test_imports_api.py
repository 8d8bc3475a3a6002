"""Files through the REST API: upload, asynchronous processing, progress, row errors, the errors workbook,
the original file; and support's reprocess and cancel — without duplicates."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
from flask import Flask
from sqlalchemy import event

from prorata.application.import_admin import STALE, sweep
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.domain.imports.model import ImportStatus
from tests import workbooks
from tests.api_client import Caller, key_for
from tests.integration.test_job_fencing import FixedClock

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"
MULTI = (SAMPLES / "export-multi-community.xlsx").read_bytes()


def test_a_multi_community_workbook_becomes_one_settlement_per_community(
    manager: Caller, drain: Callable[[], None]
) -> None:
    sent = manager.upload("/v1/imports", MULTI, "export-multi-community.xlsx")
    assert sent.status_code == 202, sent.get_json()
    job = sent.get_json()
    assert sent.headers["Location"] == job["url"] == f"/v1/imports/{job['id']}"
    drain()
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "settled", done
    assert done["rows"] == {"total": 23, "processed": 23, "accepted": 23, "rejected": 0}
    assert len(done["settlements"]) == 2
    communities = {c["code"]: c for c in manager.get("/v1/communities").get_json()}
    assert set(communities) == {"C0012", "C0047"}
    previews = {}
    for settlement in done["settlements"]:
        result = manager.post(f"/v1/settlements/{settlement['id']}/preview").get_json()
        previews[settlement["community_id"]] = result["total"]
    assert previews == {communities["C0012"]["id"]: "370.64", communities["C0047"]["id"]: "188.10"}
    listed = manager.get("/v1/imports").get_json()
    assert [i["original_name"] for i in listed] == ["export-multi-community.xlsx"]


def test_the_same_file_uploaded_20_times_at_once_is_one_job(
    app: Flask, manager: Caller, drain: Callable[[], None]
) -> None:
    answers: list[tuple[int, str]] = []

    def send() -> None:
        response = Caller(app.test_client(), manager.key).upload("/v1/imports", MULTI, "again.xlsx")
        answers.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drain()
    assert len({job for _, job in answers}) == 1
    assert sorted(status for status, _ in answers) == [200] * 19 + [202]
    assert len(manager.get("/v1/imports").get_json()) == 1


def test_row_errors_are_listed_and_returned_in_a_workbook_to_fix(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    rows = [
        ["Piso", "Contador", "Lectura anterior", "Lectura actual"],
        ["1A", "C1", "10", "20"],
        ["1B", "C2", "5", "siete"],
    ]
    content = workbooks.xlsx(tmp_path / "lecturas.xlsx", {"Lecturas": rows}).read_bytes()
    job = manager.upload("/v1/imports", content, "lecturas.xlsx", community_id=community["id"]).get_json()
    drain()
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "awaiting_costs"
    assert done["rows"]["rejected"] == 1
    errors = manager.get(f"{job['url']}/errors").get_json()
    assert [(e["code"], e["row"], e["column"]) for e in errors] == [("invalid_number", 3, "Lectura actual")]
    fixed = manager.get(f"{job['url']}/errors.xlsx")
    assert fixed.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(fixed.data))["Lecturas"]
    assert sheet["B3"].value == "C2"
    assert "'siete' is not a number" in sheet["E3"].value
    assert sheet["E2"].value in (None, "")
    original = manager.get(f"{job['url']}/file")
    assert original.data == content


def test_readings_waiting_for_costs_settle_with_an_open_settlement(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    for code in ("1A", "1B"):
        manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "50"})
    manager.created(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "costs": [{"concept": "Gas", "amount": "100.00"}],
        },
    )
    rows = [["Piso", "Lectura anterior", "Lectura actual"], ["1A", "0", "30"], ["1B", "0", "10"]]
    content = workbooks.xls(tmp_path / "lecturas.xls", {"Hoja1": rows}).read_bytes()
    job = manager.upload("/v1/imports", content, "lecturas.xls", community_id=community["id"]).get_json()
    drain()
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "settled", done
    [settlement] = done["settlements"]
    preview = manager.post(f"/v1/settlements/{settlement['id']}/preview").get_json()
    assert [r["total"] for r in preview["receipts"]] == ["75.00", "25.00"]


def test_a_layout_no_synonym_knows_imports_with_a_mapping_profile(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    rows = [["Ref. Piso", "Num. Cont.", "L.Ant", "L.Act"], ["1A", "X1", "1", "2"]]
    content = workbooks.ods(tmp_path / "export.ods", {"Datos": rows}).read_bytes()
    profile = manager.created(
        "/v1/mapping-profiles",
        {
            "name": "Gesfincas",
            "mapping": {"unit": "Ref. Piso", "meter": "Num. Cont.", "previous": "L.Ant", "current": "L.Act"},
        },
    )
    job = manager.upload("/v1/imports", content, "export.ods", community_id=community["id"]).get_json()
    drain()
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "awaiting_costs", done
    assert done["rows"]["accepted"] == 1
    assert profile["id"] in [p["id"] for p in manager.get("/v1/mapping-profiles").get_json()]


def test_support_reprocesses_without_duplicates_and_cancels(
    app: Flask, components: Components, manager: Caller, drain: Callable[[], None]
) -> None:
    support = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    job = manager.upload("/v1/imports", MULTI, "multi.xlsx").get_json()
    drain()
    first = manager.get(job["url"]).get_json()
    assert job["id"] in [
        i["id"] for i in support.get("/v1/admin/imports?page_size=500&status=settled").get_json()
    ]
    assert manager.post(f"/v1/admin/imports/{job['id']}/reprocess").status_code == 403
    for _ in range(2):
        again = support.post(f"/v1/admin/imports/{job['id']}/reprocess", {})
        assert again.status_code == 202
        drain()
    after = manager.get(job["url"]).get_json()
    assert after["status"] == "settled"
    assert after["generation"] == 2
    assert len(after["settlements"]) == len(first["settlements"]) == 2
    assert len(manager.get("/v1/settlements").get_json()) == 2
    published = manager.post(f"/v1/settlements/{after['settlements'][0]['id']}/publish")
    assert published.status_code == 201
    support.post(f"/v1/admin/imports/{job['id']}/reprocess", {})
    drain()
    corrected = manager.get(job["url"]).get_json()["settlements"]
    assert len(corrected) == 3
    assert sum(1 for s in corrected if s["supersedes"] == after["settlements"][0]["id"]) == 1
    old_receipts = manager.get(f"/v1/receipts?settlement_id={after['settlements'][0]['id']}").get_json()
    assert [r["status"] for r in old_receipts] == ["issued"] * 6
    correction = next(s for s in corrected if s["supersedes"])
    assert manager.post(f"/v1/settlements/{correction['id']}/publish").status_code == 201
    old_receipts = manager.get(f"/v1/receipts?settlement_id={after['settlements'][0]['id']}").get_json()
    assert [r["status"] for r in old_receipts] == ["superseded"] * 6
    new_receipts = manager.get(f"/v1/receipts?settlement_id={correction['id']}").get_json()
    assert [r["status"] for r in new_receipts] == ["issued"] * 6
    assert not {r["number"] for r in new_receipts} & {r["number"] for r in old_receipts}
    support.post(f"/v1/admin/imports/{job['id']}/reprocess", {})  # after the correction went out too
    drain()
    chain = manager.get(job["url"]).get_json()["settlements"]
    assert sum(1 for s in chain if s["supersedes"] == correction["id"]) == 1
    assert manager.get(job["url"]).get_json()["status"] == "settled"
    cancelled = support.post(f"/v1/admin/imports/{job['id']}/cancel")
    assert cancelled.get_json()["status"] == "cancelled"


def test_a_crafted_file_fails_its_import_and_the_next_file_still_imports(
    manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    bomb = workbooks.xlsx_with_a_far_cell(tmp_path / "bomb.xlsx").read_bytes()
    failed = manager.upload("/v1/imports", bomb, "bomb.xlsx").get_json()
    drain()
    ended = manager.get(failed["url"]).get_json()
    assert ended["status"] == "failed"
    assert "exhausted" in ended["reason"]
    assert manager.get(f"{failed['url']}/errors").get_json()[0]["code"] == "file_too_large"
    good = manager.upload("/v1/imports", MULTI, "multi.xlsx").get_json()
    drain()
    assert manager.get(good["url"]).get_json()["status"] == "settled"


def test_a_csv_errors_workbook_is_named_after_the_file_sent(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    content = "Piso;Lectura anterior;Lectura actual\r\n1A;1;dos\r\n".encode("cp1252")
    job = manager.upload(
        "/v1/imports", content, "lecturas-marzo.csv", community_id=community["id"]
    ).get_json()
    drain()
    book = openpyxl.load_workbook(io.BytesIO(manager.get(f"{job['url']}/errors.xlsx").data))
    assert "lecturas-marzo" in book.sheetnames
    assert "'dos' is not a number" in book["lecturas-marzo"]["D2"].value


def test_a_mapped_layout_with_a_community_column_splits_by_community(
    manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    rows = [["Edif.", "Ref. Piso", "L.Ant", "L.Act"], ["E-1", "1A", "1", "2"], ["E-2", "1A", "3", "5"]]
    content = workbooks.xlsx(tmp_path / "export.xlsx", {"Datos": rows}).read_bytes()
    manager.created(
        "/v1/mapping-profiles",
        {
            "name": "Edificios",
            "mapping": {"community": "Edif.", "unit": "Ref. Piso", "previous": "L.Ant", "current": "L.Act"},
        },
    )
    job = manager.upload("/v1/imports", content, "export.xlsx").get_json()
    drain()
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "awaiting_costs", done
    assert sorted(c["code"] for c in manager.get("/v1/communities").get_json()) == ["E-1", "E-2"]


def test_a_readings_sheet_with_a_service_column_gives_each_service_its_own_readings(
    manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    """Heat cost allocators and hot water meters in one sheet: each service's settlement is prorated by
    its own meters only."""
    sheets: dict[str, workbooks.Rows] = {
        "Lecturas": [
            ["Cod. Comunidad", "Vivienda", "Servicio", "Nº Contador", "Lectura anterior", "Lectura actual"],
            ["S0001", "1A", "calefacción", "HCA-1", 0, 30],
            ["S0001", "1B", "calefacción", "HCA-2", 0, 10],
            ["S0001", "1A", "agua caliente", "ACS-1", 0, 1],
            ["S0001", "1B", "agua caliente", "ACS-2", 0, 3],
        ],
        "Gastos": [
            ["Cod. Comunidad", "Servicio", "Concepto", "Importe"],
            ["S0001", "calefacción", "Gasóleo", 400],
            ["S0001", "agua caliente", "Calentamiento ACS", 100],
        ],
    }
    path = workbooks.xlsx(tmp_path / "servicios.xlsx", sheets)
    job = manager.upload("/v1/imports", path.read_bytes(), "servicios.xlsx").get_json()
    drain()
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "settled", done
    totals = {}
    for settlement in done["settlements"]:
        preview = manager.post(f"/v1/settlements/{settlement['id']}/preview").get_json()
        totals[settlement["service"]] = [r["total"] for r in preview["receipts"]]
    assert totals == {"heating": ["300.00", "100.00"], "hot_water": ["25.00", "75.00"]}


def test_a_job_whose_worker_died_after_validating_is_swept_and_settles_without_duplicates(
    components: Components, manager: Caller, drain: Callable[[], None]
) -> None:
    job = manager.upload("/v1/imports", MULTI, "validated.xlsx").get_json()
    drain()
    first = manager.get(job["url"]).get_json()
    assert first["status"] == "settled"
    with components.unit_of_work() as uow:  # as a worker leaves it when it dies while settling
        stored = uow.imports.get(None, job["id"])
        assert stored is not None
        expired = components.clock.now() - timedelta(seconds=1)
        uow.imports.update(replace(stored, status=ImportStatus.VALIDATED, lease_until=expired))
        uow.commit()
    left = manager.get(job["url"]).get_json()
    assert (left["status"], left["progress"]) == ("validated", 50)
    later = FixedClock(components.clock.now() + STALE + timedelta(seconds=1))  # an interval since it was sent
    with components.unit_of_work() as uow:
        assert job["id"] in sweep(uow, later, components.queue)
    drain()
    again = manager.get(job["url"]).get_json()
    assert (again["status"], again["attempts"], again["progress"]) == ("settled", 2, 100)
    assert sorted(s["community_id"] for s in again["settlements"]) == sorted(
        s["community_id"] for s in first["settlements"]
    )
    assert len(manager.get("/v1/settlements").get_json()) == 2  # this tenant's: none twice


def test_reimporting_the_owners_of_existing_units_takes_a_few_queries_not_some_per_unit(
    app: Flask, components: Components, manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    """Every quarter the same export comes again with its owners sheet, and its units and owners exist:
    the owners are read once for the community, not unit by unit."""
    units = 80
    owners: list[list[Any]] = [["Cod. Comunidad", "Vivienda", "Coeficiente", "Propietario", "IBAN"]]
    owners += [
        ["Q0001", f"U{i:03d}", 1, f"Propietario {i}", "ES9121000418450200051332"] for i in range(units)
    ]
    path = workbooks.xlsx(tmp_path / "propietarios.xlsx", {"Viviendas": owners})
    support = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    job = manager.upload("/v1/imports", path.read_bytes(), "propietarios.xlsx").get_json()
    drain()
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(components.engine, "before_cursor_execute", count)
    try:
        assert support.post(f"/v1/admin/imports/{job['id']}/reprocess", {}).status_code == 202
        drain()
    finally:
        event.remove(components.engine, "before_cursor_execute", count)
    assert manager.get(job["url"]).get_json()["generation"] == 1
    assert len(statements) < units, "\n".join(statements[:20])
    residents = manager.get("/v1/residents?page_size=500").get_json()
    assert len(residents) == units  # none twice
