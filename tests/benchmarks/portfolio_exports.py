"""A metering company's portfolio export, as bench_scale imports it: one file, hundreds of communities
(a community-code column and its name), their dwellings, several heat cost allocators per dwelling (a
serial, a radiator factor), the previous and current readings and the day each was read.

Two formats, as metering companies send them:
- **CSV** (`;`, decimal comma, dd/mm/yyyy — what a Spanish Excel writes): readings only. The communities
  and their open heating settlements (the bill, 70 % by consumption, the rest in equal shares) exist
  beforehand — the administrator created them; `drafts` gives them — and the file's readings attach to them.
- **XLSX**: the readings sheet (numbers as numbers, days as date cells), a costs sheet (each community's
  heating bill, shared 70 % by consumption and the rest by coefficient) and a dwellings sheet
  (coefficient, area): the file creates its communities and dwellings and settles by itself.

Everything is made from a seed and the file's number; nothing is random across runs. The XLSX is
written as SpreadsheetML by hand (shared strings, one date style), not by openpyxl: openpyxl takes
≈ 200 s of CPU for one 500,000-row sheet, this ≈ 10 s."""

from __future__ import annotations

import csv
import datetime as dt
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

READINGS_HEADER = (
    "Cod. Comunidad",
    "Comunidad",
    "Vivienda",
    "Nº Repartidor",
    "Factor K",
    "Lectura anterior",
    "Lectura actual",
    "Fecha lectura",
)
PERIOD = ("2025-10-01", "2026-03-31")
CONSUMPTION_SHARE = "0.70"
_STREETS = (
    "Calle Mayor",
    "Avenida de la Constitución",
    "Calle del Pilar",
    "Paseo de la Estación",
    "Calle San Vicente",
    "Avenida de Aragón",
    "Calle Goya",
    "Ronda Norte",
)
_LETTERS = "ABCD"
_FACTORS = (Decimal("0.85"), Decimal("1.00"), Decimal("1.15"), Decimal("1.30"), Decimal("1.45"))
_READ_DAYS = tuple(dt.date(2026, 3, day) for day in (28, 29, 30, 31))


@dataclass(frozen=True, slots=True)
class Building:
    """One community of the portfolio: its dwellings and allocators, and its heating bill."""

    code: str
    name: str
    dwellings: tuple[str, ...]
    allocators: int
    bill: Decimal


@dataclass(frozen=True, slots=True)
class Portfolio:
    number: int
    buildings: tuple[Building, ...]
    seed: int

    @property
    def rows(self) -> int:
        return sum(b.allocators for b in self.buildings)

    def readings(self) -> Iterator[tuple[str, str, str, str, Decimal, Decimal, Decimal, dt.date]]:
        """Every allocator's row, community by community: dwelling after dwelling, each with its
        allocators (four to eight)."""
        rng = random.Random(self.seed * 1_000 + self.number)
        serial = 0
        for building in self.buildings:
            for index in range(building.allocators):
                dwelling = building.dwellings[index % len(building.dwellings)]
                serial += 1
                previous = Decimal(rng.randint(0, 30_000)) / 10
                current = previous + Decimal(rng.randint(0, 9_000)) / 10
                yield (
                    building.code,
                    building.name,
                    dwelling,
                    f"HCA{self.number:02d}{serial:07d}",
                    _FACTORS[rng.randrange(len(_FACTORS))],
                    previous,
                    current,
                    _READ_DAYS[rng.randrange(len(_READ_DAYS))],
                )


def portfolio(number: int, rows: int, communities: int, seed: int = 2026) -> Portfolio:
    """File `number`'s portfolio: `rows` allocators over `communities` communities (of sizes that vary
    by a half either way), about six allocators per dwelling."""
    rng = random.Random(seed * 7_919 + number)
    communities = max(1, min(communities, rows))
    weights = [rng.uniform(0.5, 1.5) for _ in range(communities)]
    sizes = [max(1, int(rows * w / sum(weights))) for w in weights]
    sizes[-1] += rows - sum(sizes)
    while sizes[-1] < 1:  # the rounding took too much from the last ones: give it back
        largest = sizes.index(max(sizes))
        sizes[largest] -= 1
        sizes[-1] += 1
    buildings = []
    for index, allocators in enumerate(sizes):
        dwellings = _dwellings(max(1, allocators // 6))
        street = _STREETS[rng.randrange(len(_STREETS))]
        bill = Decimal(rng.randint(350_00, 700_00) * len(dwellings)) / 100
        code = f"CP{number:02d}{index:03d}"
        name = f"C.P. {street} {rng.randint(1, 180)}"
        buildings.append(Building(code, name, dwellings, allocators, bill))
    return Portfolio(number, tuple(buildings), seed)


def _dwellings(count: int) -> tuple[str, ...]:
    """`Bajo A`, `Bajo B`… `7º D`, in portals of up to 40 (`P2 3º B`) when there are more."""
    names = []
    for index in range(count):
        portal, rest = divmod(index, 40)
        floor, letter = divmod(rest, len(_LETTERS))
        name = f"{'Bajo' if floor == 0 else f'{floor}º'} {_LETTERS[letter]}"
        names.append(f"P{portal + 1} {name}" if count > 40 else name)
    return tuple(names)


def drafts(portfolio: Portfolio) -> list[tuple[Building, dict[str, Any]]]:
    """The open heating settlement of each community of a CSV portfolio, in the contract's terms."""
    return [
        (
            building,
            {
                "service": "heating",
                "period": {"from": PERIOD[0], "to": PERIOD[1]},
                "consumption_share": CONSUMPTION_SHARE,
                "fixed_key": "equal",
                "costs": [{"concept": "Gas natural", "amount": format(building.bill, "f")}],
            },
        )
        for building in portfolio.buildings
    ]


def write_csv(portfolio: Portfolio, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(READINGS_HEADER)
        for code, name, dwelling, serial, factor, previous, current, day in portfolio.readings():
            writer.writerow(
                [
                    code,
                    name,
                    dwelling,
                    serial,
                    _comma(factor),
                    _comma(previous),
                    _comma(current),
                    f"{day:%d/%m/%Y}",
                ]
            )
    return path


def _comma(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


def write_xlsx(portfolio: Portfolio, path: Path) -> Path:
    strings = _SharedStrings()
    readings = _Sheet(strings, len(READINGS_HEADER))
    readings.row(READINGS_HEADER)
    for row in portfolio.readings():
        readings.row(row)
    costs = _Sheet(strings, 6)
    costs.row(("Cod. Comunidad", "Servicio", "Concepto", "Importe", "Parte consumo", "Reparto fijo"))
    dwellings = _Sheet(strings, 4)
    dwellings.row(("Cod. Comunidad", "Vivienda", "Coeficiente", "Superficie m2"))
    for building in portfolio.buildings:
        costs.row((building.code, "calefacción", "Gas natural", building.bill, 0.7, "coeficiente"))
        count = len(building.dwellings)
        for index, dwelling in enumerate(building.dwellings):
            area = 55 + (index * 7) % 60
            dwellings.row((building.code, dwelling, round(100 / count, 4), area))
    sheets = {"Lecturas": readings, "Gastos": costs, "Viviendas": dwellings}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook(list(sheets)))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        archive.writestr("xl/styles.xml", _STYLES)
        for number, sheet in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", sheet.xml())
        archive.writestr("xl/sharedStrings.xml", strings.xml())
    return path


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.uses = 0

    def of(self, text: str) -> int:
        self.uses += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in self.index)
        return f'{_XML}<sst xmlns="{_MAIN}" count="{self.uses}" uniqueCount="{len(self.index)}">{items}</sst>'


_EXCEL_EPOCH = dt.date(1899, 12, 30)


class _Sheet:
    def __init__(self, strings: _SharedStrings, columns: int) -> None:
        self.strings = strings
        self.letters = [chr(ord("A") + n) for n in range(columns)]
        self.rows: list[str] = []

    def row(self, values: tuple[Any, ...]) -> None:
        number = len(self.rows) + 1
        cells = []
        for letter, value in zip(self.letters, values, strict=True):
            where = f"{letter}{number}"
            if isinstance(value, str):
                cells.append(f'<c r="{where}" t="s"><v>{self.strings.of(value)}</v></c>')
            elif isinstance(value, dt.date):
                cells.append(f'<c r="{where}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>')
            else:
                figure = format(value, "f") if isinstance(value, Decimal) else value
                cells.append(f'<c r="{where}"><v>{figure}</v></c>')
        self.rows.append(f'<row r="{number}">{"".join(cells)}</row>')

    def xml(self) -> str:
        span = f"A1:{self.letters[-1]}{len(self.rows)}"
        return (
            f'{_XML}<worksheet xmlns="{_MAIN}"><dimension ref="{span}"/><sheetData>'
            f"{''.join(self.rows)}</sheetData></worksheet>"
        )


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# One cell format besides the default: a day (built-in number format 14, d/m/yyyy in a Spanish Excel).
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font>'
    '</fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1">'
    '<border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1)
    )
    return f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'


def _workbook_rels(sheets: int) -> str:
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = sheets + 1
    shared = sheets + 2
    return (
        f'{_XML}<Relationships xmlns="{_PACKAGE_REL}">{links}'
        f'<Relationship Id="rId{styles}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{shared}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
