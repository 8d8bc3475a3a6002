"""The distribution sheet as a PDF (borb): landscape A4 pages, each with the settlement's heading, its part of
the tables (the units' table cut into page-sized pieces, its header repeated on every page) and "page n of m".

Pages are planned in rows before anything is drawn (page_plan), then each piece is painted where the plan
puts it; no layout manager adds pages behind the plan's back. Every cell is one line (text too long for its
column is cut with "…"), so a row's height is known: see `row_height`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from prorata.adapters.pdf.borb_runtime import pdf_bytes
from prorata.adapters.pdf.distribution_grids import PAD, DistributionGrids
from prorata.adapters.pdf.page_plan import Cells, Grid, Piece, plan
from prorata.adapters.pdf.table_fonts import printable, table_font
from prorata.domain.community.model import Language
from prorata.domain.settlement.distribution import Distribution
from prorata.domain.settlement.distribution_labels import labels, named

from borb.pdf import (  # isort: skip  (borb only after borb_runtime: it opts out of usage statistics)
    Chunk,
    Document,
    FixedColumnWidthTable,
    HexColor,
    LayoutElement,
    Page,
    PageSize,
    Shape,
    Table,
)

WIDTH, HEIGHT = PageSize.A4_LANDSCAPE
MARGIN = 28
SIZE = 8  # every table's text
TITLE_SIZE = 12
PAD_Y = 2
GAP = 6  # between the heading, the tables and the footer
_LINE = HexColor("#C8C8C8")
_RULE = HexColor("#404040")
_SHADE = HexColor("#E8EEF4")
_LEFT, _RIGHT = LayoutElement.HorizontalAlignment.LEFT, LayoutElement.HorizontalAlignment.RIGHT
_ELLIPSIS = "…"
# A row's style: its border above, below, and their colour (body rows are ruled by `_rules`).
_BORDERS = {
    "title": (0, 0, None),
    "header_top": (0, 0, None),
    "header": (0, 1, _RULE),
    "body": (0, 0, None),
    "strong": (0, 0, None),
    "footer": (1, 0, _RULE),
    "plain": (0, 0, None),
}


class BorbDistributionPdf:
    media_type = "application/pdf"
    extension = "pdf"

    def render(self, sheet: Distribution, language: Language) -> bytes:
        words = labels(language)
        body_width = WIDTH - 2 * MARGIN
        grids = DistributionGrids(sheet, words, language, measure, body_width).all()
        heading = _heading(sheet, words, language, body_width)
        top = HEIGHT - MARGIN - heading.height - GAP
        bottom = MARGIN + row_height() + GAP
        pages = plan(grids, (top - bottom) // row_height())
        document = Document()
        footer_left = f"{sheet.community.code} · {words['settlement']} {_settlement(sheet, words)}"
        for number, pieces in enumerate(pages, start=1):
            page = _growable(Page(width_in_points=WIDTH, height_in_points=HEIGHT))
            document.append_page(page)
            heading.paint(page, HEIGHT - MARGIN)
            y = top
            for piece in pieces:
                table = _piece(piece, words)
                table.paint(page, y)
                _rules(piece, page, y, table.width)
                y -= table.height
                if y < bottom:
                    raise RuntimeError(f"page {number} overflowed its plan")  # a bug of page_plan
                y -= row_height()
            page_of = words["page"].format(n=number, m=len(pages))
            footer = _table((body_width - 200, 200), [(footer_left, page_of)], frozenset({1}), style="plain")
            footer.paint(page, MARGIN + row_height())
            contents = page["Contents"]
            contents["DecodedBytes"] = bytes(contents["DecodedBytes"])
        return pdf_bytes(document)


def _growable(page: Page) -> Page:
    """The page with its content stream as a bytearray while it is drawn: borb appends each operator to
    it with `+=`, which copies a bytes object whole every time (a 1,000-unit sheet: 2.3 s, and 1.5 s with
    this; measured on a loaded 2-core machine). Made bytes again before the document is written."""
    contents = page["Contents"]
    contents["DecodedBytes"] = bytearray(contents.get("DecodedBytes", b""))
    return page


@cache
def row_height() -> int:
    """The height of every table row: one line of text at SIZE, with its padding (bold is as tall)."""
    cell = _cell("Ág", 100, bold=True, right=False, style="body")
    return int(cell.get_size(available_space=(100, 1000))[1])


def measure(text: str, bold: bool, size: int = SIZE) -> float:
    if not text:
        return 0.0
    return float(table_font(bold).get_width(printable(text, bold), font_size=size))


def fit(text: str, width: int, bold: bool, size: int = SIZE) -> str:
    """The text cut (with "…") to `width` points."""
    shown = printable(text, bold)
    if len(shown) * size <= width or measure(shown, bold, size) <= width:  # no glyph is wider than 1 em
        return shown
    low, high = 0, len(shown)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(shown[:middle] + _ELLIPSIS, bold, size) <= width:
            low = middle
        else:
            high = middle - 1
    return shown[:low].rstrip() + _ELLIPSIS


def _heading(sheet: Distribution, words: Mapping[str, str], language: Language, width: int) -> _Drawn:
    community, settlement = sheet.community, sheet.settlement
    grids = DistributionGrids(sheet, words, language, measure, width)
    service = named(words, "service", settlement.service.value)
    table = FixedColumnWidthTable(number_of_rows=2, number_of_columns=2, column_widths=[width - 260, 260])
    title = f"{words['title']} · {community.name} ({community.code})"
    right = f"{words['settlement']} {_settlement(sheet, words)}"
    for text, align in ((title, _LEFT), (right, _RIGHT)):
        table.append_layout_element(
            _text_cell(text, (width - 260) if align is _LEFT else 260, TITLE_SIZE, align)
        )
    info = f"{service} · {grids.period()} · {sheet.currency}"
    for text, align in ((info, _LEFT), ("", _RIGHT)):
        table.append_layout_element(_text_cell(text, (width - 260) if align is _LEFT else 260, SIZE, align))
    return _Drawn(table, width)


def _settlement(sheet: Distribution, words: Mapping[str, str]) -> str:
    settlement = sheet.settlement
    status = words[settlement.status.value]
    return f"{settlement.number} · {status}" if settlement.number else status


def _text_cell(text: str, width: int, size: int, align: LayoutElement.HorizontalAlignment) -> Table.TableCell:
    bold = size == TITLE_SIZE
    shown = fit(text, width - 2 * PAD, bold, size)
    chunk = Chunk(shown or " ", font=table_font(bold), font_size=size, horizontal_alignment=align)
    return Table.TableCell(
        chunk, padding_top=1, padding_bottom=1, padding_left=PAD, padding_right=PAD,
        border_width_top=0, border_width_bottom=0, border_width_left=0, border_width_right=0,
    )  # fmt: skip


def _piece(piece: Piece, words: Mapping[str, str]) -> _Drawn:
    grid = piece.grid
    rows: list[tuple[Cells, str]] = []
    if grid.title is not None:
        rows.append(((f"{grid.title} {words['continued']}" if piece.continued else grid.title,), "title"))
    rows += [
        (cells, "header" if i == len(grid.header) - 1 else "header_top")
        for i, cells in enumerate(grid.header)
    ]
    style = "strong" if grid.bold else "body" if grid.ruled else "plain"
    rows += [(cells, style) for cells in grid.body[piece.start : piece.stop]]
    if piece.last:
        rows += [(cells, "footer") for cells in grid.footer]
    return _rows_table(grid, rows)


def _rules(piece: Piece, page: Page, top: int, width: int) -> None:
    """A line under each body row of a ruled grid, as one shape: drawn cell by cell (borb's borders), they
    took 45 % of a 1,000-unit sheet's time."""
    grid = piece.grid
    if not grid.ruled or piece.stop == piece.start:
        return
    above = (grid.title is not None) + len(grid.header)
    rows = range(piece.stop - piece.start - (1 if piece.last and grid.footer else 0))
    ys = [top - (above + row + 1) * row_height() for row in rows]
    if not ys:
        return
    lines = [[(MARGIN, y), (MARGIN + width, y)] for y in ys]
    shape = Shape(lines, stroke_color=_LINE, line_width=1)
    shape.paint(available_space=(MARGIN, min(ys), width, max(ys) - min(ys)), page=page)


def _rows_table(grid: Grid, rows: Sequence[tuple[Cells, str]]) -> _Drawn:
    table = FixedColumnWidthTable(
        number_of_rows=len(rows), number_of_columns=len(grid.widths), column_widths=list(grid.widths)
    )
    for cells, style in rows:
        if style == "title":
            table.append_layout_element(
                _cell(cells[0], sum(grid.widths), True, False, "title", span=len(grid.widths))
            )
            continue
        for index, (text, width) in enumerate(zip(cells, grid.widths, strict=True)):
            bold = style not in ("body", "plain")
            table.append_layout_element(_cell(text, width, bold, index in grid.right, style))
    return _Drawn(table, sum(grid.widths))


def _table(widths: tuple[int, ...], rows: Sequence[Cells], right: frozenset[int], style: str) -> _Drawn:
    return _rows_table(Grid(widths, rows, right=right), [(cells, style) for cells in rows])


def _cell(text: str, width: int, bold: bool, right: bool, style: str, span: int = 1) -> Table.TableCell:
    shown = fit(text, width - 2 * PAD, bold)
    chunk = Chunk(
        shown or " ", font=table_font(bold), font_size=SIZE, horizontal_alignment=_RIGHT if right else _LEFT
    )
    top, below, color = _BORDERS[style]
    return Table.TableCell(
        chunk,
        background_color=_SHADE if style.startswith("header") else None,
        border_color=color,
        border_width_top=top,
        border_width_bottom=below,
        border_width_left=0,
        border_width_right=0,
        column_span=span,
        padding_top=PAD_Y,
        padding_bottom=PAD_Y,
        padding_left=PAD,
        padding_right=PAD,
    )


@dataclass(frozen=True)
class _Drawn:
    """A table and its width: borb stretches a table's columns to whatever width it is given."""

    table: Table
    width: int

    @property
    def height(self) -> int:
        return int(self.table.get_size(available_space=(self.width, HEIGHT))[1])

    def paint(self, page: Page, top: int) -> None:
        """With its top edge at `top`, from the left margin."""
        height = self.height
        self.table.paint(available_space=(MARGIN, top - height, self.width, height), page=page)
