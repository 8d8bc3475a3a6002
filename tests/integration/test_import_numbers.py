"""Numbers in uploaded files, as the registry, the errors list and the settlement show them: each column's
decimal separator, money to the cent, digit bounds — a row error, never a rounded amount or a retried job."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests import workbooks
from tests.api_client import Caller

SPANISH_CSV = (
    "Vivienda;Coeficiente;Contador;Lectura anterior;Lectura actual\r\n"
    "1.1;2,125;C1;1.100;1.350\r\n"
    "1.2;1,5;C2;987;1.234\r\n"
    "2.1;3;C3;2.000;2.100\r\n"
).encode("cp1252")


def test_unit_codes_with_a_point_leave_a_spanish_files_coefficients_and_readings_as_written(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    draft = manager.created(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "costs": [{"concept": "Gasóleo", "amount": "597.00"}],
        },
    )
    job = manager.upload("/v1/imports", SPANISH_CSV, "lecturas.csv", community_id=community["id"]).get_json()
    drain()
    done = manager.get(job["url"]).get_json()
    assert manager.get(f"{job['url']}/errors").get_json() == []
    assert done["status"] == "settled", done
    units = manager.get(f"/v1/communities/{community['id']}/units").get_json()
    assert {u["code"]: Decimal(u["coefficient"]) for u in units} == {
        "1.1": Decimal("2.125"),
        "1.2": Decimal("1.5"),
        "2.1": Decimal("3"),
    }
    [settlement] = done["settlements"]
    assert settlement["id"] == draft["id"]
    preview = manager.post(f"/v1/settlements/{settlement['id']}/preview").get_json()
    assert [(r["unit"], r["consumption"], r["total"]) for r in preview["receipts"]] == [
        ("1.1", "250", "250.00"),
        ("1.2", "247", "247.00"),
        ("2.1", "100", "100.00"),
    ]


@pytest.mark.parametrize("amount", ["1234,565", Decimal("1234.565")])
def test_a_cost_with_fractions_of_a_cent_is_a_row_error_and_nothing_is_rounded(
    manager: Caller, drain: Callable[[], None], tmp_path: Path, amount: object
) -> None:
    sheets: dict[str, workbooks.Rows] = {
        "Lecturas": [
            ["Cod. Comunidad", "Vivienda", "Lectura anterior", "Lectura actual"],
            ["S1", "1A", 0, 30],
        ],
        "Gastos": [["Cod. Comunidad", "Concepto", "Importe"], ["S1", "Gasóleo", amount]],
    }
    path = workbooks.xlsx(tmp_path / "gastos.xlsx", sheets)
    job = manager.upload("/v1/imports", path.read_bytes(), "gastos.xlsx").get_json()
    drain()
    errors = manager.get(f"{job['url']}/errors").get_json()
    assert [(e["code"], e["row"], e["column"]) for e in errors] == [("invalid_number", 2, "Importe")]
    assert "fractions of a cent" in errors[0]["message"]
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "awaiting_costs", done  # the readings wait for a cost that can be read
    assert done["settlements"] == []
    assert manager.get("/v1/settlements").get_json() == []


def test_an_amount_of_31_digits_is_a_row_error_and_the_job_is_not_retried(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    content = f"Concepto;Importe\r\nGasóleo;{'1' * 31}\r\n".encode()
    job = manager.upload("/v1/imports", content, "gastos.csv", community_id=community["id"]).get_json()
    drain()
    done = manager.get(job["url"]).get_json()
    errors = manager.get(f"{job['url']}/errors").get_json()
    assert [(e["code"], e["row"], e["column"]) for e in errors] == [("invalid_number", 2, "Importe")]
    assert done["attempts"] == 1
    assert "gave up" not in (done["reason"] or "")
    assert done["rows"]["rejected"] == 1
