"""`prorata simulate --readings FILE` reads a file's numbers as an import does (see
tests/integration/test_one_number_reader.py): as a user runs it, on the files of issue 10."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _request(folder: Path, codes: list[str]) -> Path:
    path = folder / "request.json"
    request = {
        "costs": [{"concept": "Gasóleo", "amount": "597.00"}],
        "units": [{"unit": code, "coefficient": "1"} for code in codes],
    }
    path.write_text(json.dumps(request), encoding="utf-8")
    return path


def test_a_spanish_file_with_unit_codes_like_numbers_reads_its_readings_as_written(
    prorata: Any, tmp_path: Path
) -> None:
    readings = tmp_path / "lecturas.csv"
    readings.write_text(
        "Vivienda;Coeficiente;Contador;Lectura anterior;Lectura actual\n"
        "1.1;2,125;C1;1.100;1.350\n1.2;1,5;C2;987;1.234\n2.1;3;C3;2.000;2.100\n",
        encoding="utf-8",
    )
    run = prorata(
        "simulate", _request(tmp_path, ["1.1", "1.2", "2.1"]), "--readings", readings, "--format", "json"
    )
    assert run.code == 0, run.stdout
    assert [(r["consumption"], r["total"]) for r in run.json()["receipts"]] == [
        ("250", "250.00"),
        ("247", "247.00"),
        ("100", "100.00"),
    ]


def test_a_reading_nothing_in_the_file_decides_is_ambiguous_with_its_row_and_column(
    prorata: Any, tmp_path: Path
) -> None:
    readings = tmp_path / "lecturas.tsv"
    readings.write_text(
        "Piso\tLectura anterior\tLectura actual\n1A\t1.100\t1.350\n1B\t5\t7\n", encoding="utf-8"
    )
    run = prorata("simulate", _request(tmp_path, ["1A", "1B"]), "--readings", readings, "--format", "json")
    assert run.code == 2
    errors = run.json()["errors"]
    assert [(e["code"], e["row"], e["column"]) for e in errors] == [
        ("ambiguous_number", 2, "Lectura anterior"),
        ("ambiguous_number", 2, "Lectura actual"),
    ]
    assert "1100 or as 1.1" in errors[0]["message"]
