"""What the distribution sheet's PDF shows, as tables of text (page_plan's grids): the settlement, the pools
with their rates, the check, the notes, and the units' table — cut into column bands when a settlement has
more pools than a page is wide (each band repeats the unit's code; the last one holds the total).

Column widths follow the widest text a column holds, measured in the font it is printed in (`Measure`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from prorata.adapters.pdf.page_plan import Cells, Grid
from prorata.domain.community.model import Language, UnitKind
from prorata.domain.money import plain, round_half_up
from prorata.domain.settlement.distribution import RATE_PLACES, Distribution, SheetPool
from prorata.domain.settlement.distribution_labels import day, named

# (text, bold) -> its width in points at the tables' font size.
Measure = Callable[[str, bool], float]
PAD = 3  # points left and right of a cell's text
_CODE_WIDTHS = (40, 130)  # the unit column grows with its codes within these bounds; longer codes are cut
_KIND_WIDTHS = (34, 90)
# Texts measured per column: its longest few distinct ones (a figure is as wide as any of its length, a
# word nearly so), not every one of a thousand rows.
_LONGEST = 40


def figure(value: Decimal | None, language: Language, places: int | None = None) -> str:
    """A number as the language writes it (1,234.56 in English; 1.234,56 in Spanish and Catalan; 1 234,56
    in French, with a plain space: borb gives the font's no-break space no width); `places` decimals, or
    as many as it has."""
    if value is None:
        return ""
    if places is not None:
        text = format(round_half_up(value, places), f",.{places}f")
    else:
        text = format(Decimal(plain(value)), ",f")
    if language is Language.EN:
        return text
    thousands = " " if language is Language.FR else "."
    return text.replace(",", "\0").replace(".", ",").replace("\0", thousands)


def money(value: Decimal | None, language: Language) -> str:
    return figure(value, language, 2)


@dataclass(frozen=True)
class _Column:
    heading: str
    subheading: str
    cells: Sequence[str]
    footer: str
    right: bool
    bounds: tuple[int, int] | None = None  # min and max width; None: as wide as its widest text


class DistributionGrids:
    def __init__(
        self, sheet: Distribution, words: Mapping[str, str], language: Language, measure: Measure, width: int
    ) -> None:
        self.sheet, self.words, self.language = sheet, words, language
        self.measure, self.width = measure, width

    def all(self) -> list[Grid]:
        return [self.summary(), self.pools(), self.check(), *self.notes(), *self.units()]

    def summary(self) -> Grid:
        w, sheet = self.words, self.sheet
        community, settlement = sheet.community, sheet.settlement
        rows: list[Cells] = [(w["community"], f"{community.name} ({community.code})")]
        if community.address:
            rows.append((w["address"], community.address))
        if community.tax_id:
            rows.append((w["tax_id"], community.tax_id))
        rows += [
            (w["service"], named(w, "service", settlement.service.value)),
            (w["period"], self.period()),
            (w["settlement"], self.settlement_name()),
            (w["currency"], sheet.currency),
        ]
        return Grid((130, 330), rows, keep=True)

    def pools(self) -> Grid:
        w, language = self.words, self.language
        pools = self.sheet.pools
        columns = [
            _Column(w["pool"], "", [f"P{i + 1}" for i in range(len(pools))], w["total"], False),
            _Column(w["concept"], "", [p.concept for p in pools], "", False, (90, 300)),
            _Column(w["part"], "", [named(w, "part", p.part.value) for p in pools], "", False),
            _Column(w["basis"], "", [self.basis(p) for p in pools], "", False, (60, 230)),
            _Column(w["amount"], "", [money(p.amount, language) for p in pools], self.pools_amount(), True),
            _Column(w["total_weight"], "", [figure(p.total_weight, language) for p in pools], "", True),
            _Column(w["rate"], "", [figure(p.rate, language, RATE_PLACES) for p in pools], "", True),
        ]
        widths = self.fit([self.column_width(c) for c in columns], flexible=1)
        body = list(zip(*(c.cells for c in columns), strict=True))
        header, footer = [tuple(c.heading for c in columns)], [tuple(c.footer for c in columns)]
        return Grid(widths, body, header, footer, title=w["pools"], right=frozenset({4, 5, 6}))

    def check(self) -> Grid:
        w, sheet, language = self.words, self.sheet, self.language
        verdict = w["check_ok"] if sheet.balanced else w["check_failed"]
        rows: list[Cells] = [
            (w["bill"], money(sheet.bill, language), sheet.currency),
            (w["receipts_total"], money(sheet.receipts_total, language), sheet.currency),
            (w["difference"], money(sheet.difference, language), sheet.currency),
            (w["check"], "", verdict),
        ]
        return Grid((130, 90, 280), rows, right=frozenset({1}), bold=True, keep=True)

    def notes(self) -> list[Grid]:
        w = self.words
        published = self.sheet.settlement.published_at
        texts = [
            w["draft_note"]
            if published is None
            else w["published_note"].format(day=day(published.date(), self.language))
        ]
        texts.append(w["rate_note"])
        if any(row.estimated for row in self.sheet.rows):
            texts.append(w["estimated_note"])
        lines = [line for text in texts for line in self.wrap(text, self.width - 2 * PAD)]
        return [Grid((self.width,), [(line,) for line in lines], keep=True, ruled=False)]

    def units(self) -> list[Grid]:
        w, sheet, language = self.words, self.sheet, self.language
        rows = sheet.rows
        code = _Column(w["unit"], "", [r.code for r in rows], w["total"], False, _CODE_WIDTHS)
        kind = _Column(w["kind"], "", [self.kind(r.kind) for r in rows], "", False, _KIND_WIDTHS)
        consumption = [figure(r.consumption, language) + (" *" if r.estimated else "") for r in rows]
        identity = [
            code,
            kind,
            self.figures("coefficient", [figure(r.coefficient, language) for r in rows]),
            self.figures("area", [figure(r.area, language) for r in rows]),
            self.figures("consumption", consumption),
        ]
        pools = [
            _Column(
                f"P{i + 1} {pool.concept}",
                named(w, "part", pool.part.value),
                [money(r.amounts[i], language) for r in rows],
                money(total, language),
                True,
                (56, 120),
            )
            for i, (pool, total) in enumerate(zip(sheet.pools, sheet.pool_totals, strict=True))
        ]
        totals = [money(r.total, language) for r in rows]
        total = _Column(w["total"], "", totals, money(sheet.receipts_total, language), True)
        bands = self.bands(identity, pools, total)
        grids = []
        for number, band in enumerate(bands, start=1):
            title = w["units"] if len(bands) == 1 else f"{w['units']} ({number}/{len(bands)})"
            widths = tuple(self.column_width(c) for c in band)
            grids.append(
                Grid(
                    widths,
                    list(zip(*(c.cells for c in band), strict=True)),
                    header=[tuple(c.heading for c in band), tuple(c.subheading for c in band)],
                    footer=[tuple(c.footer for c in band)],
                    title=title,
                    right=frozenset(i for i, c in enumerate(band) if c.right),
                )
            )
        return grids

    def bands(self, identity: list[_Column], pools: list[_Column], total: _Column) -> list[list[_Column]]:
        """The units' columns in bands a page wide: the first with the unit's keys, each later one with
        its code again, as many pools as fit, and the total in the last."""
        bands: list[list[_Column]] = []
        band, used = list(identity), sum(self.column_width(c) for c in identity)
        for column in [*pools, total]:
            needed = self.column_width(column)
            if used + needed > self.width and len(band) > 1:
                bands.append(band)
                band, used = [identity[0]], self.column_width(identity[0])
            band.append(column)
            used += needed
        bands.append(band)
        return bands

    def column_width(self, column: _Column) -> int:
        longest = sorted({*column.cells, column.footer}, key=len, reverse=True)[:_LONGEST]
        widest = max(
            [self.measure(t, False) for t in longest]
            + [self.measure(column.footer, True), self.measure(column.subheading, True)]
            + [self.measure(column.heading, True)]
        )
        width = int(widest) + 2 * PAD + 1
        if column.bounds:
            low, high = column.bounds
            width = max(low, min(high, width))
        return width

    def fit(self, widths: list[int], flexible: int) -> tuple[int, ...]:
        """Widths within the page: the `flexible` column loses what is too much."""
        excess = sum(widths) - self.width
        if excess > 0:
            widths[flexible] = max(40, widths[flexible] - excess)
        return tuple(widths)

    def figures(self, key: str, cells: list[str]) -> _Column:
        """A key's column (coefficient, area, consumption) with its total."""
        return _Column(self.words[key], "", cells, figure(self.sheet.key_total(key), self.language), True)

    def kind(self, kind: UnitKind | None) -> str:
        return "" if kind is None else named(self.words, "kind", kind.value)

    def basis(self, pool: SheetPool) -> str:
        basis = named(self.words, "basis", pool.basis)
        return self.words["fallback_note"].format(basis=basis) if pool.fallback else basis

    def pools_amount(self) -> str:
        return money(sum((p.amount for p in self.sheet.pools), Decimal("0.00")), self.language)

    def period(self) -> str:
        period = self.sheet.settlement.period
        return f"{day(period.start, self.language)} - {day(period.end, self.language)}"

    def settlement_name(self) -> str:
        settlement = self.sheet.settlement
        status = self.words[settlement.status.value]
        return f"{settlement.number} ({status})" if settlement.number else status

    def wrap(self, text: str, width: int) -> list[str]:
        lines: list[str] = []
        line = ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if line and self.measure(candidate, False) > width:
                lines.append(line)
                candidate = word
            line = candidate
        return [*lines, line] if line else lines
