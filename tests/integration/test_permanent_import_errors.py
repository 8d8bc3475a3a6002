"""A file that cannot be read fails its import on the first attempt — another attempt would read the same
bytes — and the reason names the file as it was sent, not as it is stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import workbooks
from tests.api_client import Caller
from tests.corrupted_files import flipped, truncated


def imported(manager: Caller, drain: Callable[[], None], content: bytes, name: str, **form: str) -> Any:
    sent = manager.upload("/v1/imports", content, name, **form)
    assert sent.status_code == 202, sent.get_json()
    drain()
    job = manager.get(sent.get_json()["url"]).get_json()
    job["errors_list"] = manager.get(f"{job['url']}/errors").get_json()
    return job


@pytest.mark.parametrize("damage", [flipped, truncated])
def test_a_damaged_workbook_fails_at_once_naming_the_file_sent(
    manager: Caller, drain: Callable[[], None], tmp_path: Path, damage: Callable[[Path, int], Path]
) -> None:
    content = damage(tmp_path, 1).read_bytes()
    job = imported(manager, drain, content, "lecturas marzo 2026.xlsx")
    assert (job["status"], job["attempts"]) == ("failed", 1), job
    assert job["reason"].startswith("lecturas marzo 2026.xlsx: "), job["reason"]
    assert job["sha256"] not in job["reason"]
    assert [e["code"] for e in job["errors_list"]] == ["unsupported_file"]
    assert job["errors_list"][0]["message"] == job["reason"]


def test_a_csv_past_the_limits_fails_at_once_naming_the_file_sent(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    content = f"Piso;Lectura anterior;Lectura actual\r\n1A;{'9' * 2_000};3\r\n".encode()
    job = imported(manager, drain, content, "lecturas.csv", community_id=community["id"])
    assert (job["status"], job["attempts"]) == ("failed", 1), job
    assert job["reason"].startswith("lecturas.csv: "), job["reason"]
    assert [e["code"] for e in job["errors_list"]] == ["file_too_large"]


@pytest.mark.parametrize("amount", ["1e300", "1E+300", 1e300, -1e300])
def test_an_amount_of_1e300_is_a_row_error_not_a_retried_job(
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
    job = imported(manager, drain, path.read_bytes(), "gastos.xlsx")
    assert job["attempts"] == 1, job
    assert "gave up" not in (job["reason"] or "")
    assert [(e["code"], e["row"], e["column"]) for e in job["errors_list"]] == [
        ("invalid_number", 2, "Importe")
    ]


@pytest.mark.parametrize(
    "content",
    [b"", b"Piso;Lectura anterior;Lectura actual\r\n", b"Piso;Lectura anterior;Lectura actual\r\n1A;x;3\r\n"],
    ids=["empty", "header-only", "no-valid-row"],
)
def test_a_file_with_nothing_to_settle_fails_with_a_reason_naming_the_file_sent(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], content: bytes
) -> None:
    job = imported(manager, drain, content, "lecturas abril.csv", community_id=community["id"])
    assert (job["status"], job["attempts"]) == ("failed", 1), job
    assert job["reason"].startswith("lecturas abril.csv: "), job["reason"]
