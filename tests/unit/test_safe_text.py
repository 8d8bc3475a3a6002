"""Text handed back to managers is never run as a formula, always writable, and sheet names are valid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from prorata.domain.imports.safe_text import (
    FORMULA_TRIGGERS,
    safe_cells,
    safe_file_name,
    safe_text,
    sheet_titles,
)


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "＝1+1", "=cmd|' /C calc'!A0", "-12,5"],
)
def test_text_that_starts_like_a_formula_takes_an_apostrophe(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["1A", "Lectura actual", "'=ya texto", " =1", "", "12,5", "ñandú"])
def test_other_text_is_kept_as_it_is(text: str) -> None:
    assert safe_text(text) == text


def test_numbers_and_empty_cells_are_kept_and_texts_made_safe() -> None:
    assert safe_cells([3, None, Decimal("-12.5"), "-x", "=A1"]) == [3, None, Decimal("-12.5"), "'-x", "'=A1"]


def test_characters_a_workbook_cannot_hold_become_a_replacement_character() -> None:
    assert safe_text("a\x01b\x1bc\ud800") == "a\ufffdb\ufffdc\ufffd"
    assert safe_text("\x01=1") == "\ufffd=1"  # no longer starts like a formula
    assert safe_text("tab\tand\nline") == "tab\tand\nline"


@given(st.text())
def test_no_text_comes_out_as_a_formula_or_unwritable(text: str) -> None:
    safe = safe_text(text)
    assert not safe.startswith(FORMULA_TRIGGERS)
    assert ILLEGAL_CHARACTERS_RE.search(safe) is None
    assert not any("\ud800" <= c <= "\udfff" for c in safe)
    assert len(safe) <= 32_767


def test_sheet_names_are_made_valid_and_unique() -> None:
    titles = sheet_titles(
        [
            "Lecturas/2026",
            "lecturas_2026",
            "a:b*c?[d]\\e",
            "'quoted'",
            "=HYPERLINK(1)",
            "",
            "x" * 40,
            "x" * 40,
        ],
        reserved=["Errores"],
    )
    assert titles == [
        "Lecturas_2026",
        "lecturas_2026 (2)",
        "a_b_c__d__e",
        "quoted",
        "_=HYPERLINK(1)",
        "Sheet",
        "x" * 31,
        "x" * 27 + " (2)",
    ]
    assert sheet_titles(["errores"], reserved=["Errores"]) == ["errores (2)"]


@given(st.lists(st.text(), max_size=8), st.lists(st.text(max_size=31), max_size=2))
def test_any_sheet_names_give_titles_excel_takes(names: list[str], reserved: list[str]) -> None:
    titles = sheet_titles(names, reserved)
    assert len(titles) == len(names)
    folded = [t.casefold() for t in titles]
    assert len(set(folded)) == len(folded)
    assert not set(folded) & {r.casefold() for r in reserved}
    for title in titles:
        assert 0 < len(title) <= 31
        assert INVALID_TITLE_REGEX.search(title) is None
        assert ILLEGAL_CHARACTERS_RE.search(title) is None
        assert not title.startswith(("'", *FORMULA_TRIGGERS))
        assert not title.endswith("'")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("rows[1]", "rows[1]"),
        ('a "quoted"; name', "a _quoted__ name"),
        ("..\\..\\etc/passwd", "_.._etc_passwd"),
        ("line\r\nbreak", "line__break"),
        ("lecturas ñandú €", "lecturas ñandú €"),
        ("...", "file"),
        # Bidirectional controls reorder how a name is shown: "factura\u202egpj.exe" as "facturaexe.jpg".
        ("factura\u202egpj.exe", "factura_gpj.exe"),
        ("a\u2066b\u2069c\u200fd\u061ce", "a_b_c_d_e"),
    ],
)
def test_file_names_lose_what_means_something_in_a_header_or_a_path(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe
