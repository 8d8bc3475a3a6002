"""`prorata import` and `prorata simulate --readings` with workbooks, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests import workbooks

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"


def test_imports_a_multi_community_workbook_from_the_command_line(prorata: Any) -> None:
    tenant = prorata("tenants", "create", "Fincas CLI", "--json").json()["id"]
    run = prorata("import", SAMPLES / "export-multi-community.xlsx", "--tenant", tenant)
    assert run.code == 0, run.stderr
    assert ": settled" in run.stdout
    assert "rows: 23 total, 23 accepted, 0 rejected" in run.stdout
    assert "importing export-multi-community.xlsx" in run.stderr
    again = prorata("import", SAMPLES / "export-multi-community.xlsx", "--tenant", tenant)
    assert "was received before as import" in again.stderr


def test_a_crafted_workbook_fails_the_import_with_exit_code_2(prorata: Any, tmp_path: Path) -> None:
    tenant = prorata("tenants", "create", "Fincas CLI", "--json").json()["id"]
    bomb = workbooks.xlsx_with_a_far_cell(tmp_path / "bomb.xlsx")
    run = prorata("import", bomb, "--tenant", tenant)
    assert run.code == 2
    assert "failed" in run.stdout
    assert "exhausted the memory or time allowed" in run.stdout


def test_simulate_reads_xlsx_xls_and_ods(prorata: Any, tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {"costs": [{"concept": "Agua", "amount": "40.00"}], "units": [{"unit": "1A"}, {"unit": "1B"}]}
        )
    )
    rows: list[list[Any]] = [
        ["Lecturas agua 2026"],
        [],
        ["Vivienda", "Contador", "Lectura anterior", "Lectura actual"],
        ["1A", "W1", 10, 20],
        ["1B", "W2", 0, 30],
    ]
    for write in (workbooks.xlsx, workbooks.xls, workbooks.ods):
        path = write(tmp_path / f"lecturas.{write.__name__}", {"Lecturas": rows})
        run = prorata("simulate", request, "--readings", path, "--format", "json")
        assert run.code == 0, (write.__name__, run.stdout)
        assert [r["total"] for r in run.json()["receipts"]] == ["10.00", "30.00"]


def test_simulate_turns_a_bomb_into_exit_code_2(prorata: Any, tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps({"costs": [{"concept": "Agua", "amount": "40.00"}], "units": [{"unit": "1A"}]})
    )
    bomb = workbooks.xlsx_declaring_every_cell(tmp_path / "bomb.xlsx")
    run = prorata("simulate", request, "--readings", bomb, "--format", "json")
    assert run.code == 2
    assert run.json()["errors"][0]["code"] == "file_too_large"
