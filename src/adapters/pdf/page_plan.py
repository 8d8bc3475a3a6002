"""Tables laid out on pages of a fixed number of rows, before anything is drawn — so that every page can
say "page n of m", and a table of any length is cut into page-sized pieces that each repeat its header.

Every row of every table is one line of text of the same height (a longer text is cut to its column), so
a page holds a known number of rows; that is what lets the plan be made in rows rather than points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Cells = tuple[str, ...]
# A table cut across pages keeps at least this many of its rows together (fewer only when it has fewer):
# no header alone at the foot of a page.
MIN_ROWS = 3


@dataclass(frozen=True)
class Grid:
    """A table: `widths` in points, `right` the columns aligned right (numbers), `header` rows repeated on
    every page it reaches, `footer` rows (totals) once after its last row; `title` above it (marked
    continued on later pages). A grid that may not be cut (`keep`) moves whole to the next page."""

    widths: tuple[int, ...]
    body: Sequence[Cells]
    header: Sequence[Cells] = ()
    footer: Sequence[Cells] = ()
    title: str | None = None
    right: frozenset[int] = frozenset()
    bold: bool = False
    keep: bool = False
    ruled: bool = True  # a line under each row

    @property
    def rows(self) -> int:
        return (self.title is not None) + len(self.header) + len(self.body) + len(self.footer)


@dataclass(frozen=True)
class Piece:
    """Rows `start`..`stop` of a grid's body on one page, with its header, and its footer when `last`."""

    grid: Grid
    start: int
    stop: int
    last: bool
    continued: bool

    @property
    def rows(self) -> int:
        title = self.grid.title is not None
        return (
            title
            + len(self.grid.header)
            + (self.stop - self.start)
            + (len(self.grid.footer) if self.last else 0)
        )


@dataclass
class _Pages:
    capacity: int
    pages: list[list[Piece]] = field(default_factory=lambda: [[]])
    used: int = 0

    def room(self) -> int:
        """Rows left on this page for the next grid, after the blank row that separates it from the one
        before."""
        return self.capacity - self.used - (1 if self.pages[-1] else 0)

    def put(self, piece: Piece) -> None:
        self.used += piece.rows + (1 if self.pages[-1] else 0)
        self.pages[-1].append(piece)

    def empty(self) -> bool:
        return not self.pages[-1]

    def turn(self) -> None:
        if self.pages[-1]:
            self.pages.append([])
            self.used = 0


def plan(grids: Sequence[Grid], capacity: int) -> list[list[Piece]]:
    """The grids, in order, on pages of `capacity` rows each: a list of pages, each the pieces it shows."""
    pages = _Pages(capacity)
    for grid in grids:
        fixed = (grid.title is not None) + len(grid.header)
        if fixed + min(MIN_ROWS, len(grid.body)) + len(grid.footer) > capacity:
            raise ValueError(f"a table's header and footer need more than the {capacity} rows of a page")
        if grid.keep and grid.rows <= capacity:
            if grid.rows > pages.room():
                pages.turn()
            pages.put(Piece(grid, 0, len(grid.body), True, False))
            continue
        start = 0
        while True:
            left = len(grid.body) - start
            room = pages.room() - fixed
            if left + len(grid.footer) <= room:
                pages.put(Piece(grid, start, len(grid.body), True, start > 0))
                break
            # The rows that fit, leaving at least MIN_ROWS to go with the footer on a later page; too few
            # here, and the piece starts on the next page (unless this one is empty: then what fits).
            least = min(MIN_ROWS, left)
            take = min(room, left - least)
            if take < least and not pages.empty():
                pages.turn()
                continue
            take = max(take, 1)
            pages.put(Piece(grid, start, start + take, False, start > 0))
            start += take
            pages.turn()
    return pages.pages
