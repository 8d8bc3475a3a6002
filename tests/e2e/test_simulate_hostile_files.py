"""`prorata simulate` on damaged or hostile input answers as the contract says — exit 2 with the error
codes — and never with a traceback (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.corrupted_files import flipped, truncated

REQUEST = Path(__file__).parents[1] / "fixtures" / "samples" / "settlement-heating.json"
DAMAGED = [(flipped, seed) for seed in range(6)] + [(truncated, seed) for seed in range(2)]


@pytest.mark.parametrize(("damage", "seed"), DAMAGED, ids=[f"{d.__name__}-{s}" for d, s in DAMAGED])
def test_a_damaged_workbook_is_an_unsupported_file_named_after_it(
    prorata: Any, tmp_path: Path, damage: Any, seed: int
) -> None:
    path = damage(tmp_path, seed)
    run = prorata("simulate", REQUEST, "--readings", path, "--format", "json")
    assert run.code == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    problems = run.json()["errors"]
    assert {p["code"] for p in problems} == {"unsupported_file"}
    assert all(p["message"].startswith(f"{path.name}: ") for p in problems), problems


def test_a_damaged_workbook_in_text_format_says_why_without_a_traceback(prorata: Any, tmp_path: Path) -> None:
    path = flipped(tmp_path, 0)
    run = prorata("simulate", REQUEST, "--readings", path)
    assert run.code == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert path.name in run.stderr


def _request(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "request.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("output", ["json", "text"])
def test_a_request_nested_thousands_deep_is_an_invalid_request(
    prorata: Any, tmp_path: Path, output: str
) -> None:
    request = _request(tmp_path, '{"costs": ' + "[" * 5_000 + "]" * 5_000 + "}")
    run = prorata("simulate", request, "--format", output)
    assert run.code == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    if output == "json":
        assert [p["code"] for p in run.json()["errors"]] == ["invalid_request"]


@pytest.mark.parametrize("output", ["json", "text"])
def test_a_lone_surrogate_in_the_request_is_an_invalid_request_naming_the_field(
    prorata: Any, tmp_path: Path, output: str
) -> None:
    request = {"costs": [{"concept": "Gas", "amount": "10.00"}], "units": [{"unit": "A", "coefficient": "1"}]}
    text = json.dumps(request).replace('"A"', '"A\\ud800"')
    run = prorata("simulate", _request(tmp_path, text), "--format", output)
    assert run.code == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    if output == "json":
        assert [(p["code"], p["field"]) for p in run.json()["errors"]] == [
            ("invalid_request", "units[0].unit")
        ]


def test_an_integer_of_thousands_of_digits_in_the_request_is_an_invalid_request(
    prorata: Any, tmp_path: Path
) -> None:
    text = REQUEST.read_text(encoding="utf-8").replace('"7420.18"', "1" + "0" * 5_000)
    run = prorata("simulate", _request(tmp_path, text), "--format", "json")
    assert run.code == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert [p["code"] for p in run.json()["errors"]] == ["invalid_request"]
