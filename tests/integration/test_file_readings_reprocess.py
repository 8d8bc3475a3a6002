"""Processing a file again stores none of its readings twice; a reprocess that reads another value
replaces the import's own reading; a cancelled import keeps none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests import workbooks
from tests.api_client import Caller, key_for
from tests.integration.test_file_readings_history import YEAR_1, history, imported


def test_reprocessing_a_file_stores_none_of_its_readings_twice(
    app: Flask,
    components: Components,
    manager: Caller,
    community: dict[str, Any],
    drain: Callable[[], None],
    tmp_path: Path,
) -> None:
    path = workbooks.xlsx(
        tmp_path / "lecturas.xlsx",
        {
            "Lecturas": [
                ["Piso", "Contador", "Lectura anterior", "Lectura actual", "Fecha"],
                ["1A", "HC-1", 1, 2, YEAR_1],
            ]
        },
    )
    job = imported(manager, drain, path, community)
    before = manager.get("/v1/readings?page_size=500").get_json()
    support = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    for _ in range(2):
        assert support.post(f"/v1/admin/imports/{job['id']}/reprocess", {}).status_code == 202
        drain()
    after = manager.get("/v1/readings?page_size=500").get_json()
    assert after == before
    assert len(after) == 2
    assert len(manager.get("/v1/meters").get_json()) == 1


def test_a_cancelled_import_keeps_none_of_its_readings(
    app: Flask,
    components: Components,
    manager: Caller,
    community: dict[str, Any],
    drain: Callable[[], None],
    tmp_path: Path,
) -> None:
    (tmp_path / "lecturas.csv").write_text("Piso;Contador;Lectura anterior;Lectura actual\n1A;HC-1;1;2\n")
    job = imported(manager, drain, tmp_path / "lecturas.csv", community)
    assert len(manager.get(f"/v1/readings?import_id={job['id']}").get_json()) == 2
    support = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    assert support.post(f"/v1/admin/imports/{job['id']}/cancel").get_json()["status"] == "cancelled"
    assert manager.get(f"/v1/readings?import_id={job['id']}").get_json() == []


def test_a_reprocess_that_reads_another_value_replaces_the_imports_own_reading(
    app: Flask,
    components: Components,
    manager: Caller,
    community: dict[str, Any],
    drain: Callable[[], None],
    tmp_path: Path,
) -> None:
    (tmp_path / "export.csv").write_text("Ref;Cont;L0;L1;L2;Fecha\n1A;HC-1;10;20;25;31/12/2025\n")
    first, second = (
        manager.created(
            "/v1/mapping-profiles",
            {"name": name, "mapping": {"unit": "Ref", "meter": "Cont", "previous": "L0", "current": current}},
        )
        for name, current in (("primera", "L1"), ("segunda", "L2"))
    )
    sent = (tmp_path / "export.csv").read_bytes()
    job = manager.upload(
        "/v1/imports", sent, "export.csv", community_id=community["id"], mapping_profile_id=first["id"]
    ).get_json()
    drain()
    assert [r["value"] for r in history(manager, "HC-1")] == ["10", "20"]
    support = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    again = support.post(f"/v1/admin/imports/{job['id']}/reprocess", {"mapping_profile_id": second["id"]})
    assert again.status_code == 202
    drain()
    read = history(manager, "HC-1")
    assert [(r["value"], r["corrections"], r["import_id"]) for r in read] == [
        ("10", [], job["id"]),
        ("25", [], job["id"]),
    ]
