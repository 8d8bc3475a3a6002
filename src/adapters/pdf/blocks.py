"""Building blocks for prorata's PDFs on borb: text the embedded font can print, paragraphs, tables that
split before they outgrow a page, bars drawn as shapes, a footer on every page — and the release of
borb's layout caches after each document."""

from __future__ import annotations

import copy
import inspect
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

from fontTools.ttLib import TTFont

from prorata.adapters.pdf.borb_runtime import FONTS, font

# isort: split
# borb only after borb_runtime: it opts out of borb's usage statistics and signal handlers first.
from borb.pdf import (
    Chunk,
    Document,
    FixedColumnWidthTable,
    HeterogeneousParagraph,
    HexColor,
    LayoutElement,
    Paragraph,
    Shape,
    Table,
)

INK = HexColor("#1d2733")
MUTED = HexColor("#5b6675")
ACCENT = HexColor("#1f4e79")
RULE = HexColor("#cfd6df")
SHADE = HexColor("#eef2f7")
PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4, in points
MARGIN = 40
WIDTH = PAGE_WIDTH - 2 * MARGIN
ROWS_PER_TABLE = 24  # a borb table cannot run over a page: longer ones are split, the header repeated
_LONGEST_WORD = 28  # a longer run without spaces is broken, or it would overflow its cell

LEFT = LayoutElement.HorizontalAlignment.LEFT
RIGHT = LayoutElement.HorizontalAlignment.RIGHT


@cache
def printable() -> frozenset[str]:
    """The characters the embedded font has."""
    cmap = TTFont(FONTS / "DejaVuSans-Latin1.ttf").getBestCmap()
    return frozenset(chr(c) for c in cmap)


@cache
def fitted(bold: bool = False) -> Any:
    """borb_runtime's font with every glyph's true width. borb writes width 0 for the glyphs whose names
    are not in the Adobe glyph list (no-break space, ², ³, ¹, µ, «, », soft hyphen): it measures them as
    0 and a viewer draws the next character over them. The widths go as one run (`[0, [w0 … wn]]`), which
    borb also searches at once instead of glyph by glyph. A copy: the shared font stays as it is."""
    shared = font(bold)
    source = TTFont(FONTS / ("DejaVuSans-Bold-Latin1.ttf" if bold else "DejaVuSans-Latin1.ttf"))
    scale = 1000 / source["head"].unitsPerEm
    metrics = source["hmtx"].metrics
    descendant = copy.copy(shared["DescendantFonts"][0])
    descendant["W"] = [0, [round(metrics[glyph][0] * scale, 2) for glyph in source.getGlyphOrder()]]
    result = copy.copy(shared)
    result["DescendantFonts"] = [descendant]
    return result


def clean(text: object) -> str:
    """Text the embedded font can print (borb fails on a character it lacks): letters it lacks are written
    without their accents where that gives one it has (ł stays l, ő becomes o), others become "?"; line
    breaks and tabs become spaces, and very long words are broken."""
    known = printable()
    out = []
    for char in unicodedata.normalize("NFC", str(text)):
        if char in known:
            out.append(char)
        elif char.isspace():
            out.append(" ")
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if c in known and c.isalnum())
            out.append(base or ({"ł": "l", "Ł": "L", "ø": "o", "đ": "d"}.get(char) or "?"))
    return " ".join(_broken(word) for word in "".join(out).split(" "))


def _broken(word: str) -> str:
    if len(word) <= _LONGEST_WORD:
        return word
    return " ".join(word[i : i + _LONGEST_WORD] for i in range(0, len(word), _LONGEST_WORD))


def para(
    text: object,
    size: int = 9,
    *,
    bold: bool = False,
    color: Any = INK,
    align: Any = LEFT,
    room: int | None = None,
    **options: Any,
) -> LayoutElement:
    """The text as a paragraph that wraps; as one run (a borb Chunk) when it fits in `room` points: borb
    paints a paragraph word by word, a run at once, and most of a receipt's cells hold one short line."""
    shown = clean(text) or " "
    if room is not None and not options and fitted(bold).get_width(shown, font_size=size) <= room:
        return Chunk(shown, font=fitted(bold), font_size=size, font_color=color, horizontal_alignment=align)
    return Paragraph(
        shown,
        font=fitted(bold),
        font_size=size,
        font_color=color,
        horizontal_alignment=align,
        **options,
    )


def mixed(parts: Sequence[tuple[str, bool]], size: int = 9, color: Any = INK, **options: Any) -> Any:
    """One paragraph of runs, each (text, bold)."""
    chunks = []
    for text, bold in parts:
        for word in clean(text).split(" "):
            if word:
                chunks.append(Chunk(word + " ", font=fitted(bold), font_size=size, font_color=color))
    return HeterogeneousParagraph(chunks, **options) if chunks else para(" ", size)


def stack(*elements: LayoutElement, gap: int = 1, **options: Any) -> Table:
    """Elements one under the other, as a single borderless column (for a table cell)."""
    column = FixedColumnWidthTable(number_of_rows=len(elements), number_of_columns=1, **options)
    for element in elements:
        column.append_layout_element(
            Table.TableCell(
                element,
                border_width_top=0,
                border_width_bottom=0,
                border_width_left=0,
                border_width_right=0,
                padding_bottom=gap,
            )
        )
    return column


def cell(element: LayoutElement, *, shade: Any = None, rule: bool = True, span: int = 1, pad: int = 4) -> Any:
    """A table cell with a rule under it and nothing else: tables read as rows, not as a grid."""
    return Table.TableCell(
        element,
        background_color=shade,
        border_color=RULE,
        border_width_top=0,
        border_width_left=0,
        border_width_right=0,
        border_width_bottom=1 if rule else 0,
        column_span=span,
        padding_top=pad,
        padding_bottom=pad,
        padding_left=pad,
        padding_right=pad,
    )


def grid(widths: Sequence[int], cells: Sequence[Any], **options: Any) -> FixedColumnWidthTable:
    """A table of `cells`, row by row (each may span columns). Its margins are its own: a borb layout
    puts 14 points above and below any element that leaves them at 0."""
    options = {"margin_top": 6, "margin_bottom": 2, **options}
    columns = len(widths)
    taken = sum(getattr(c, "get_column_span", lambda: 1)() for c in cells)
    table = FixedColumnWidthTable(
        number_of_rows=max(1, -(-taken // columns)),
        number_of_columns=columns,
        column_widths=list(widths),
        **options,
    )
    for item in cells:
        table.append_layout_element(item)
    return table


def tables(
    widths: Sequence[int],
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    right: frozenset[int] = frozenset(),
    last: Sequence[Any] = (),
) -> list[FixedColumnWidthTable]:
    """A header and rows of cells' content (text or elements), split every ROWS_PER_TABLE rows with the
    header repeated; `last` are cells closing the last piece (a total). Columns in `right` are aligned
    right (numbers)."""
    pieces = []
    for start in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        rooms = [room_of(widths, i) for i in range(len(widths))]
        cells = [
            cell(
                para(h, 7, bold=True, color=MUTED, align=RIGHT if i in right else LEFT, room=rooms[i]),
                shade=SHADE,
            )
            for i, h in enumerate(header)
        ]
        for row in rows[start : start + ROWS_PER_TABLE]:
            for i, value in enumerate(row):
                align = RIGHT if i in right else LEFT
                shown = (
                    value if isinstance(value, LayoutElement) else para(value, 8, align=align, room=rooms[i])
                )
                cells.append(cell(shown))
        pieces.append(cells)
    pieces[-1].extend(last)
    return [grid(widths, cells, margin_top=4, margin_bottom=4) for cells in pieces]


def room_of(widths: Sequence[int], column: int, pad: int = 4) -> int:
    """The points a cell of `column` has for its text, in a table of WIDTH."""
    return int(WIDTH * widths[column] / sum(widths)) - 2 * pad - 2


def section(title: str, first: LayoutElement) -> Table:
    """A section's title kept on the page of its first element."""
    return stack(para(title, 11, bold=True, color=ACCENT), first, gap=4, margin_top=12, margin_bottom=2)


def bar(length: int, height: int, color: Any) -> LayoutElement:
    """A filled bar `length` points long (none for 0)."""
    if length <= 0:
        return para(" ", 7)
    box = [(0.0, 0.0), (float(length), 0.0), (float(length), float(height)), (0.0, float(height)), (0.0, 0.0)]
    return Shape(box, fill_color=color, stroke_color=None, line_width=0)


def footer(document: Document, lines: Sequence[str], page_label: Any) -> None:
    """`lines` and the page number at the bottom of every page, painted after the layout (a borb layout
    has no footer of its own)."""
    pages = document.get_number_of_pages()
    for index in range(pages):
        page = document.get_page(index)
        text = " ".join(lines)
        para(text, 7, color=MUTED).paint(available_space=(MARGIN, 16, WIDTH - 70, 22), page=page)
        para(page_label(index + 1, pages), 7, color=MUTED, align=RIGHT).paint(
            available_space=(PAGE_WIDTH - MARGIN - 70, 16, 70, 22), page=page
        )


@cache
def _layout_caches() -> tuple[Any, ...]:
    kinds = (Paragraph, HeterogeneousParagraph, Chunk, FixedColumnWidthTable, Table, Table.TableCell, Shape)
    found = {}
    for kind in kinds:
        for klass in inspect.getmro(kind):
            for name, value in vars(klass).items():
                if callable(getattr(value, "cache_clear", None)):
                    found[(klass, name)] = value
    return tuple(found.values())


def forget_layouts() -> None:
    """borb caches every element's size in class-wide functools caches: every element of every document
    would stay in memory for the life of the process (~140 KB a receipt). Called after each document."""
    for cached in _layout_caches():
        cached.cache_clear()
