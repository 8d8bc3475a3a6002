"""Readings a file brings become the meters' history: listed with their import, counted from by the next
period's file, never stored twice by a reprocess, checked against what the meter read before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests import workbooks
from tests.api_client import Caller

YEAR_1 = dt.date(2025, 12, 31)
YEAR_2 = dt.date(2026, 12, 31)
COSTS: workbooks.Rows = [["Concepto", "Importe"], ["Gasóleo", 100]]


def imported(
    manager: Caller, drain: Callable[[], None], path: Path, community: dict[str, Any]
) -> dict[str, Any]:
    job = manager.upload("/v1/imports", path.read_bytes(), path.name, community_id=community["id"]).get_json()
    drain()
    done: dict[str, Any] = manager.get(job["url"]).get_json()
    return done


def history(manager: Caller, serial: str) -> list[dict[str, Any]]:
    meters = [m for m in manager.get("/v1/meters?page_size=500").get_json() if m["serial"] == serial]
    assert len(meters) == 1, meters
    readings: list[dict[str, Any]] = manager.get(f"/v1/readings?meter_id={meters[0]['id']}").get_json()
    return sorted(readings, key=lambda r: r["date"])


def consumptions(manager: Caller, settlement_id: str) -> dict[str, tuple[str, str]]:
    preview = manager.post(f"/v1/settlements/{settlement_id}/preview")
    assert preview.status_code == 200, preview.get_json()
    return {r["unit"]: (r["consumption"], r["total"]) for r in preview.get_json()["receipts"]}


def test_an_imported_files_readings_are_listed_with_source_file_and_their_import(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    content = "Piso;Contador;Lectura anterior;Lectura actual;Fecha\n1A;HC-1;100;160;31/12/2025\n"
    content += "1B;HC-2;50,5;90,5;31/12/2025\n"
    (tmp_path / "lecturas.csv").write_text(content)
    job = imported(manager, drain, tmp_path / "lecturas.csv", community)
    assert job["status"] == "awaiting_costs", job
    listed = manager.get(f"/v1/readings?import_id={job['id']}&page_size=500").get_json()
    current = {(r["date"], r["value"]) for r in listed if r["date"] == "2025-12-31"}
    assert current == {("2025-12-31", "160"), ("2025-12-31", "90.5")}
    assert {(r["source"], r["import_id"]) for r in listed} == {("file", job["id"])}
    units = {u["id"]: u["code"] for u in manager.get(f"/v1/communities/{community['id']}/units").get_json()}
    meters = {m["serial"]: units[m["unit_id"]] for m in manager.get("/v1/meters").get_json()}
    assert meters == {"HC-1": "1A", "HC-2": "1B"}
    # The whole history is there: a settlement of 2025 kept over REST counts from it as the file did.
    settlement = manager.created(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "other",
            "period": {"from": "2025-01-01", "to": "2025-12-31"},
            "costs": [{"concept": "Gas", "amount": "100.00"}],
        },
    )
    drain()  # the import that waited for costs settles with this settlement; the history stays as it was
    assert [r["value"] for r in history(manager, "HC-1")] == ["100", "160"]
    assert manager.get(f"/v1/settlements/{settlement['id']}").status_code == 200


def test_a_file_a_year_later_with_only_current_readings_counts_from_last_years(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    first = workbooks.xlsx(
        tmp_path / "2025.xlsx",
        {
            "Lecturas": [
                ["Piso", "Coeficiente", "Contador", "Lectura anterior", "Lectura actual", "Fecha"],
                ["1A", 50, "HC-1", 100, 160, YEAR_1],
                ["1B", 50, "HC-2", 50, 90, YEAR_1],
            ],
            "Gastos": COSTS,
        },
    )
    assert imported(manager, drain, first, community)["status"] == "settled"
    second = workbooks.xlsx(
        tmp_path / "2026.xlsx",
        {
            "Lecturas": [
                ["Piso", "Contador", "Lectura actual", "Fecha"],
                ["1A", "HC-1", 190, YEAR_2],
                ["1B", "HC-2", 100, YEAR_2],
            ],
            "Gastos": COSTS,
        },
    )
    job = imported(manager, drain, second, community)
    assert job["status"] == "settled", (job, manager.get(f"{job['url']}/errors").get_json())
    [settlement] = job["settlements"]
    assert consumptions(manager, settlement["id"]) == {"1A": ("30", "75.00"), "1B": ("10", "25.00")}
    assert [(r["date"], r["value"]) for r in history(manager, "HC-1")][-2:] == [
        ("2025-12-31", "160"),
        ("2026-12-31", "190"),
    ]


def test_rows_without_a_meter_column_read_the_units_one_meter_of_the_service_year_after_year(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    costs: workbooks.Rows = [["Servicio", "Concepto", "Importe"], ["calefacción", "Gasóleo", 100]]
    first = workbooks.xlsx(
        tmp_path / "2025.xlsx",
        {
            "Lecturas": [
                ["Piso", "Coeficiente", "Lectura anterior", "Lectura actual", "Fecha"],
                ["1A", 50, 0, 20, YEAR_1],
                ["1B", 50, 0, 20, YEAR_1],
            ],
            "Gastos": costs,
        },
    )
    assert imported(manager, drain, first, community)["status"] == "settled"
    second = workbooks.xlsx(
        tmp_path / "2026.xlsx",
        {
            "Lecturas": [["Piso", "Lectura actual", "Fecha"], ["1A", 50, YEAR_2], ["1B", 30, YEAR_2]],
            "Gastos": costs,
        },
    )
    job = imported(manager, drain, second, community)
    assert job["status"] == "settled", (job, manager.get(f"{job['url']}/errors").get_json())
    assert consumptions(manager, job["settlements"][0]["id"]) == {
        "1A": ("30", "75.00"),
        "1B": ("10", "25.00"),
    }
    meters = manager.get("/v1/meters").get_json()
    assert sorted((m["serial"], m["service"]) for m in meters) == [
        ("1A-heating", "heating"),
        ("1B-heating", "heating"),
    ]


def test_a_files_current_reading_below_the_meters_last_one_is_refused_as_negative_consumption(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    first = workbooks.xlsx(
        tmp_path / "2025.xlsx",
        {
            "Lecturas": [
                ["Piso", "Contador", "Lectura anterior", "Lectura actual", "Fecha"],
                ["1A", "HC-1", 900, 951.7, YEAR_1],
            ]
        },
    )
    imported(manager, drain, first, community)
    second = workbooks.xlsx(
        tmp_path / "2026.xlsx",
        {
            "Lecturas": [["Piso", "Contador", "Lectura actual", "Fecha"], ["1A", "HC-1", 5, YEAR_2]],
            "Gastos": COSTS,
        },
    )
    job = imported(manager, drain, second, community)
    errors = manager.get(f"{job['url']}/errors").get_json()
    assert ("negative_consumption", 2, "HC-1") in [(e["code"], e.get("row"), e.get("meter")) for e in errors]
    assert job["status"] == "failed"
    assert [r["value"] for r in history(manager, "HC-1")] == ["900", "951.7"]


def test_a_file_that_reads_another_value_on_a_day_already_read_corrects_it_and_keeps_the_old_one(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    unit = manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    meter = manager.created("/v1/meters", {"unit_id": unit["id"], "serial": "HC-1", "service": "heating"})
    manager.created(
        "/v1/readings",
        {
            "readings": [
                {"meter_id": meter["id"], "date": "2025-01-01", "value": "100"},
                {"meter_id": meter["id"], "date": "2025-12-31", "value": "160"},
            ]
        },
    )
    path = workbooks.xlsx(
        tmp_path / "lecturas.xlsx",
        {
            "Lecturas": [
                ["Piso", "Contador", "Lectura anterior", "Lectura actual", "Fecha"],
                ["1A", "HC-1", 100, 165, YEAR_1],
            ]
        },
    )
    job = imported(manager, drain, path, community)
    read = history(manager, "HC-1")
    assert [(r["date"], r["value"], r["source"]) for r in read] == [
        ("2025-01-01", "100", "api"),
        ("2025-12-31", "165", "api"),
    ]
    [correction] = read[1]["corrections"]
    assert correction["value"] == "160"
    assert job["id"] in correction["by"]


def test_meters_read_before_their_service_was_known_take_it_when_the_settlement_comes(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    for code in ("1A", "1B"):
        manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "50"})
    (tmp_path / "lecturas.csv").write_text(
        "Piso;Lectura anterior;Lectura actual;Fecha\n1A;0;30;31/03/2026\n1B;0;10;31/03/2026\n"
    )
    job = imported(manager, drain, tmp_path / "lecturas.csv", community)
    assert job["status"] == "awaiting_costs"
    assert sorted(m["service"] for m in manager.get("/v1/meters").get_json()) == ["other", "other"]
    terms = {
        "community_id": community["id"],
        "service": "heating",
        "period": {"from": "2026-01-01", "to": "2026-03-31"},
        "costs": [{"concept": "Gas", "amount": "100.00"}],
    }
    waiting = manager.created("/v1/settlements", terms)
    drain()
    assert manager.get(job["url"]).get_json()["status"] == "settled"
    meters = manager.get("/v1/meters").get_json()
    assert sorted((m["serial"], m["service"]) for m in meters) == [
        ("1A-heating", "heating"),
        ("1B-heating", "heating"),
    ]
    # From the history alone, a settlement of the same period counts what the file's did.
    again = manager.created("/v1/settlements", terms)
    assert consumptions(manager, again["id"]) == consumptions(manager, waiting["id"])
    assert consumptions(manager, again["id"]) == {"1A": ("30", "75.00"), "1B": ("10", "25.00")}
