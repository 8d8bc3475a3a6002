"""A file of readings only, run again by support after the settlement it fed was published: nothing is
kept twice, and its outcome says why it waits — that settlement takes no more readings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests.api_client import Caller, key_for
from tests.integration.test_file_readings_history import imported


def test_a_readings_file_run_again_after_its_settlement_was_published_says_so(
    app: Flask,
    components: Components,
    manager: Caller,
    community: dict[str, Any],
    drain: Callable[[], None],
    tmp_path: Path,
) -> None:
    draft = manager.post(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2025-01-01", "to": "2025-12-31"},
            "costs": [{"concept": "Gas", "amount": "100.00"}],
        },
    ).get_json()
    drain()
    (tmp_path / "lecturas.csv").write_text("Piso;Contador;Lectura anterior;Lectura actual\n1A;HC-1;1;2\n")
    job = imported(manager, drain, tmp_path / "lecturas.csv", community)
    assert job["status"] == "settled", job
    assert manager.post(f"/v1/settlements/{draft['id']}/publish").status_code == 201
    drain()
    readings = manager.get("/v1/readings?page_size=500").get_json()
    support = Caller(app.test_client(), key_for(components, Role.SUPPORT))
    assert support.post(f"/v1/admin/imports/{job['id']}/reprocess", {}).status_code == 202
    drain()
    again = manager.get(job["url"]).get_json()
    assert again["status"] == "awaiting_costs"
    assert f"heating settlement {draft['id']} is published" in again["reason"], again["reason"]
    assert "takes no more readings" in again["reason"]
    assert manager.get("/v1/readings?page_size=500").get_json() == readings
