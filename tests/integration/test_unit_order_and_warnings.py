"""A community's units have one order — the order they were added in, a file's row order for the units it
creates — that every listing, every stored settlement and the CLI share, so they agree to the cent; and a
settlement says when it shared a consumption part by a key instead of by what was measured."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.api_client import Caller

CLI = Path(sys.executable).parent / "prorata"


def codes(manager: Caller, community: dict[str, Any]) -> list[str]:
    return [u["code"] for u in manager.get(f"/v1/communities/{community['id']}/units").get_json()]


def test_a_stored_settlement_and_the_cli_share_one_unit_order_and_agree_to_the_cent(
    manager: Caller, community: dict[str, Any], tmp_path: Path
) -> None:
    for code in ("2B", "1A", "10C", "Bajo A"):  # neither alphabetical nor natural order
        manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "1"})
    assert codes(manager, community) == ["2B", "1A", "10C", "Bajo A"]
    terms: dict[str, Any] = {"service": "cold_water", "period": {"from": "2026-01-01", "to": "2026-03-31"}}
    terms |= {"consumption_share": "0", "costs": [{"concept": "Agua", "amount": "100.02"}]}
    settlement = manager.created("/v1/settlements", {"community_id": community["id"], **terms})
    preview = manager.post(f"/v1/settlements/{settlement['id']}/preview").get_json()
    stored = [(r["unit"], r["total"]) for r in preview["receipts"]]
    assert stored == [("2B", "25.01"), ("1A", "25.01"), ("10C", "25.00"), ("Bajo A", "25.00")]
    request = {**terms, "units": [{"unit": c, "coefficient": "1"} for c in codes(manager, community)]}
    path = tmp_path / "agua.json"
    path.write_text(json.dumps(request))
    done = subprocess.run(
        [str(CLI), "simulate", str(path), "--format", "json"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert [(r["unit"], r["total"]) for r in json.loads(done.stdout)["receipts"]] == stored


def test_units_a_file_creates_keep_the_files_order(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    manager.created(f"/v1/communities/{community['id']}/units", {"code": "Z9", "coefficient": "1"})
    rows = ["Vivienda;Coeficiente"] + [f"{code};1" for code in ("3A", "1A", "Bajo", "2A", "10A", "1B")]
    sent = manager.upload("/v1/imports", "\n".join(rows).encode(), "u.csv", community_id=community["id"])
    assert sent.status_code == 202, sent.get_json()
    drain()
    assert codes(manager, community) == ["Z9", "3A", "1A", "Bajo", "2A", "10A", "1B"]


def test_a_heating_bill_with_no_meter_in_the_community_says_it_was_shared_by_coefficient(
    manager: Caller, community: dict[str, Any]
) -> None:
    for code in ("1A", "1B"):
        manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "50"})
    terms: dict[str, Any] = {"service": "heating", "period": {"from": "2026-01-01", "to": "2026-03-31"}}
    terms |= {"consumption_share": "0.7", "costs": [{"concept": "Gasóleo", "amount": "1000.00"}]}
    settlement = manager.created("/v1/settlements", {"community_id": community["id"], **terms})
    preview = manager.post(f"/v1/settlements/{settlement['id']}/preview")
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert [r["total"] for r in body["receipts"]] == ["500.00", "500.00"]
    assert [w["code"] for w in body["warnings"]] == ["no_metered_unit"], body["warnings"]
    assert "coefficient" in body["warnings"][0]["message"]


def test_a_settlement_whose_readings_show_no_consumption_says_it_fell_back_to_the_key(
    manager: Caller, community: dict[str, Any]
) -> None:
    for code in ("1A", "1B"):
        manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "50"})
    terms: dict[str, Any] = {"service": "heating", "period": {"from": "2026-01-01", "to": "2026-03-31"}}
    terms |= {"consumption_share": "0.7", "costs": [{"concept": "Gas", "amount": "100.00"}]}
    settlement = manager.created("/v1/settlements", {"community_id": community["id"], **terms})
    readings = {"readings": [{"unit": c, "previous": "10", "current": "10"} for c in ("1A", "1B")]}
    body = manager.post(f"/v1/settlements/{settlement['id']}/preview", readings).get_json()
    assert [w["code"] for w in body["warnings"]] == ["consumption_fell_back_to_key"], body
