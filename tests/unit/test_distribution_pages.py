"""How the distribution sheet's PDF is cut into pages, and how it writes numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prorata.adapters.pdf.distribution_grids import figure, money
from prorata.adapters.pdf.page_plan import MIN_ROWS, Grid, Piece, plan
from prorata.domain.community.model import Language


def units_grid(rows: int) -> Grid:
    return Grid(
        (60, 60),
        [(f"U{n:04d}", "1.00") for n in range(rows)],
        header=[("Unit", "Total"), ("", "")],
        footer=[("Total", "x")],
        title="Units",
    )


def body_rows(pages: list[list[Piece]], grid: Grid) -> list[tuple[str, ...]]:
    return [row for page in pages for p in page if p.grid is grid for row in grid.body[p.start : p.stop]]


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 4, 37, 38, 39, 40, 41, 1000])
def test_every_row_lands_on_one_page_once_in_order_with_the_header_on_each(rows: int) -> None:
    intro = Grid((120,), [("line",)] * 5, keep=True)
    units = units_grid(rows)
    pages = plan([intro, units], capacity=40)
    assert body_rows(pages, units) == list(units.body)
    pieces = [p for page in pages for p in page if p.grid is units]
    assert [p.last for p in pieces] == [False] * (len(pieces) - 1) + [True]  # the totals once, at the end
    assert [p.continued for p in pieces] == [False] + [True] * (len(pieces) - 1)
    for page in pages:
        blank_rows = len(page) - 1
        assert sum(p.rows for p in page) + blank_rows <= 40
    if rows >= MIN_ROWS:
        assert all(p.stop - p.start >= MIN_ROWS for p in pieces)  # no header alone, no footer alone


def test_a_thousand_rows_take_as_many_pages_as_they_need_and_no_more() -> None:
    pages = plan([units_grid(1000)], capacity=40)
    per_page = 40 - 1 - 2  # title and two header rows on every page
    assert len(pages) == -(-(1000 + 1) // per_page)


def test_a_block_kept_together_moves_whole_to_the_next_page() -> None:
    first = Grid((120,), [("a",)] * 30)
    kept = Grid((120,), [("b",)] * 15, keep=True)
    pages = plan([first, kept], capacity=40)
    assert [[(p.grid is kept, p.start, p.stop) for p in page] for page in pages] == [
        [(False, 0, 30)],
        [(True, 0, 15)],
    ]


def test_a_header_taller_than_a_page_is_refused() -> None:
    with pytest.raises(ValueError, match="rows of a page"):
        plan([units_grid(10)], capacity=5)


@pytest.mark.parametrize(
    ("language", "amount", "quantity"),
    [
        (Language.EN, "1,234,567.80", "12,345.678"),
        (Language.ES, "1.234.567,80", "12.345,678"),
        (Language.CA, "1.234.567,80", "12.345,678"),
        (Language.FR, "1 234 567,80", "12 345,678"),
    ],
)
def test_numbers_are_written_as_the_language_writes_them(
    language: Language, amount: str, quantity: str
) -> None:
    assert money(Decimal("1234567.8"), language) == amount
    assert figure(Decimal("12345.6780"), language) == quantity
    assert figure(Decimal("1E+2"), language) == "100"
    assert money(Decimal("-0.005"), language) == ("-0.01" if language is Language.EN else "-0,01")
    assert figure(None, language) == ""
