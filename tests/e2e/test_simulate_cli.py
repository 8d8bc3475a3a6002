"""`prorata simulate` as a property manager runs it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"
REQUEST = SAMPLES / "settlement-heating.json"
READINGS = SAMPLES / "readings-heating-es.csv"


def test_prints_the_sample_settlement_for_a_person(prorata: Any) -> None:
    run = prorata("simulate", REQUEST, "--readings", READINGS)
    assert run.code == 0, run.stderr
    assert "Ático · consumption 389.45" in run.stdout
    assert "meter CAL-0109: (5402.35 − 5012.9) × 1 = 389.45" in run.stdout
    assert "Check: Σ receipts 7810.18 = Σ costs 7810.18 EUR: receipts add up to the bill" in run.stdout


def test_prints_the_sample_settlement_as_contract_json(prorata: Any) -> None:
    run = prorata("simulate", REQUEST, "--readings", READINGS, "--format", "json")
    assert run.code == 0, run.stderr
    result = run.json()
    totals = {r["unit"]: r["total"] for r in result["receipts"]}
    # Worked by hand: Bajo A = 5194.13 × 176.5/1608.05 + 2226.05 × 9.8 % + 390/9 (a tie cent: listed first).
    assert totals["Bajo A"] == "831.60"
    assert totals["Ático"] == "1710.87"
    assert list(totals) == ["Bajo A", "Bajo B", "1º A", "1º B", "2º A", "2º B", "3º A", "3º B", "Ático"]
    assert sum(Decimal(t) for t in totals.values()) == Decimal(result["total"]) == Decimal("7810.18")


def test_reads_a_layout_through_a_mapping_file(prorata: Any, tmp_path: Path) -> None:
    readings = tmp_path / "export.csv"
    readings.write_text("Ref. Piso;Num. Cont.;L.Ant;L.Act\nA;X1;1,5;11,5\nB;X2;0;30\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"unit": "Ref. Piso", "meter": "Num. Cont.", "previous": "L.Ant", "current": "L.Act"})
    )
    request = _write(
        tmp_path, {"costs": [{"concept": "Agua", "amount": "40.00"}], "units": [{"unit": "a"}, {"unit": "b"}]}
    )
    run = prorata("simulate", request, "--readings", readings, "--mapping", mapping, "--format", "json")
    assert run.code == 0, run.stdout
    assert [r["total"] for r in run.json()["receipts"]] == ["10.00", "30.00"]


def _write(folder: Path, request: dict[str, Any], name: str = "request.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def _metered(*units: tuple[str, list[dict[str, str]]], **top: Any) -> dict[str, Any]:
    return {
        "costs": [{"concept": "Heat", "amount": "100.00"}],
        "units": [{"unit": u, "coefficient": "1", "area": "50", "readings": r} for u, r in units],
        **top,
    }


OK = [{"meter": "M", "previous": "0", "current": "5"}]
READINGS_CSV = "Unit;Meter;Previous;Current\nA;M1;1;2\n"

CASES: dict[str, tuple[dict[str, Any], str | bytes | None, dict[str, str]]] = {
    "invalid_request": ({"costs": "many", "units": []}, None, {}),
    "negative_consumption": (_metered(("A", [{"meter": "M", "previous": "5", "current": "1"}])), None, {}),
    "duplicate_reading": (_metered(("A", OK + OK)), None, {}),
    "missing_reading": (_metered(("A", OK), ("B", [])), None, {}),
    "estimation_cap_exceeded": (
        _metered(("A", OK), ("B", []), estimation={"method": "area_average", "max_area_share": "0.25"}),
        None,
        {},
    ),
    "zero_total_weight": (
        {
            "consumption_share": "0",
            "costs": [{"concept": "F", "amount": "1.00"}],
            "units": [{"unit": "A", "coefficient": "0"}],
        },
        None,
        {},
    ),
    "unknown_unit": (_metered(("A", [])), "Unit;Meter;Previous;Current\nZ;M1;1;2\n", {}),
    "invalid_number": (_metered(("A", [])), "Unit;Meter;Previous;Current\nA;M1;1;dos\n", {}),
    "missing_column": (_metered(("A", [])), "Unit;Meter;Previous\nA;M1;1\n", {}),
    "unsupported_file": (_metered(("A", [])), b"PK\x03\x04\x14\x00 a workbook", {}),
    "file_too_large": (_metered(("A", [])), READINGS_CSV * 50, {"PRORATA_MAX_FILE_BYTES": "100"}),
}


@pytest.mark.parametrize("code", list(CASES))
def test_every_error_code_is_reported_as_json_with_exit_code_2(
    prorata: Any, tmp_path: Path, code: str
) -> None:
    request, readings, env = CASES[code]
    args: list[str | Path] = ["simulate", _write(tmp_path, request), "--format", "json"]
    if readings is not None:
        path = tmp_path / "readings.csv"
        if isinstance(readings, bytes):
            path.write_bytes(readings)
        else:
            path.write_text(readings, encoding="utf-8")
        args += ["--readings", path]
    run = prorata(*args, env=env)
    assert run.code == 2, run.stdout + run.stderr
    assert code in [e["code"] for e in run.json()["errors"]]
    assert all(e["message"] for e in run.json()["errors"])


def test_file_errors_name_the_row_a_spreadsheet_shows_and_the_column(prorata: Any, tmp_path: Path) -> None:
    readings = tmp_path / "readings.csv"
    readings.write_text(
        "Lecturas 2026\n\nPiso;Contador;Lectura anterior;Lectura actual\nA;M1;1;2\nB;M2;3;x\nC;M3;1;2\n"
    )
    request = _write(tmp_path, _metered(("A", []), ("B", [])))
    found = prorata("simulate", request, "--readings", readings, "--format", "json").json()["errors"]
    assert [(e["code"], e.get("row"), e.get("column")) for e in found] == [
        ("invalid_number", 5, "Lectura actual"),
        ("unknown_unit", 6, None),
    ]


def test_text_errors_go_to_stderr(prorata: Any, tmp_path: Path) -> None:
    run = prorata("simulate", _write(tmp_path, _metered(("A", []))))
    assert run.code == 2
    assert "[missing_reading] unit A is metered but has no reading" in run.stderr


def test_a_request_that_is_not_json_is_an_invalid_request(prorata: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{ not json")
    run = prorata("simulate", path, "--format", "json")
    assert run.code == 2
    assert run.json()["errors"][0]["code"] == "invalid_request"


def test_reads_the_request_from_stdin(prorata: Any) -> None:
    run = prorata(
        "simulate",
        "-",
        "--format",
        "json",
        stdin=REQUEST.read_text(encoding="utf-8").replace(
            '"consumption_share": "0.70"', '"consumption_share": "0"'
        ),
    )
    assert run.code == 0, run.stdout
    assert run.json()["total"] == "7810.18"


def test_its_help_names_every_format_it_reads(prorata: Any) -> None:
    run = prorata("simulate", "--help")
    assert run.code == 0, run.stderr
    readings = " ".join(run.stdout.split()).split("--readings", 1)[1]
    for name in ("CSV", "XLSX", "XLS", "ODS"):
        assert name in readings.split("--mapping")[0], run.stdout


def test_a_broken_request_is_reported_before_a_broken_mapping_while_the_file_is_read(
    prorata: Any, tmp_path: Path
) -> None:
    """The readings file is read while the request is parsed: what is wrong is still told in the order the
    command reads its inputs, the request first."""
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    mapping = tmp_path / "mapping.json"
    mapping.write_text("[")
    run = prorata("simulate", broken, "--readings", READINGS, "--mapping", mapping, "--format", "json")
    assert run.code == 2
    assert [error["field"] for error in run.json()["errors"]] == ["request"]
    run = prorata("simulate", REQUEST, "--readings", READINGS, "--mapping", mapping, "--format", "json")
    assert run.code == 2
    assert [error["field"] for error in run.json()["errors"]] == ["mapping"]
