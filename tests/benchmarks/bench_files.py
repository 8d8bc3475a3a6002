"""Benchmark: a 50,000-row XLSX and CSV through `simulate`, against the raw parse of the same file
(python-calamine for XLSX, the csv module for CSV), in one run. Goal (issue 4): simulate ≤ 3× the raw
parse. The full import into PostgreSQL, as a user meets it, is bench_import.py's."""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).parents[2]))

from prorata.application.simulate import ReadingsFile, simulate
from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings

ROWS = 50_000
HEADER = ["Cod. Comunidad", "Vivienda", "Nº Contador", "Lectura anterior", "Lectura actual", "Fecha lectura"]


def rows() -> list[list[Any]]:
    rng = random.Random(2026)
    made = []
    for index in range(ROWS):
        previous = rng.randint(0, 90_000) + rng.randint(0, 999) / 1000
        made.append(
            ["C0001", f"U{index:06d}", f"HC-{index}", previous, previous + rng.randint(1, 400), "30/09/2026"]
        )
    return made


def write_files(folder: Path) -> tuple[Path, Path]:
    data = rows()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Lecturas")
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    costs = book.create_sheet("Gastos")  # so that the XLSX import settles; the CSV one awaits its costs
    costs.append(["Cod. Comunidad", "Servicio", "Concepto", "Importe", "Parte consumo", "Reparto fijo"])
    costs.append(["C0001", "calefacción", "Gasóleo", 612345.67, 0.7, "coeficiente"])
    units = book.create_sheet("Viviendas")
    units.append(["Cod. Comunidad", "Vivienda", "Coeficiente", "Superficie m2"])
    for index in range(ROWS):
        units.append(["C0001", f"U{index:06d}", 1 + index % 7, 60 + index % 50])
    xlsx = folder / "lecturas.xlsx"
    book.save(xlsx)
    csv_path = folder / "lecturas.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for row in data:
            writer.writerow([f"{v:.3f}".replace(".", ",") if isinstance(v, float) else v for v in row])
    return xlsx, csv_path


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def best_of_rounds(
    first: Callable[[], object], second: Callable[[], object], rounds: int = 5
) -> tuple[float, float]:
    """The best time of each over a few rounds, run in turns: this machine's timings wander (by a third
    between runs), and whatever slows it then slows both sides of the ratio alike."""
    times = [(timed(first), timed(second)) for _ in range(rounds)]
    return min(t for t, _ in times), min(t for _, t in times)


def raw_xlsx(path: Path) -> None:
    """Every sheet, as the reader must parse them all to find which holds what."""
    workbook = CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def raw_csv(path: Path) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle, delimiter=";"):
            pass


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        xlsx, csv_path = write_files(Path(folder))
        request = {
            "consumption_share": "0.7",
            "costs": [{"concept": "Gas", "amount": "612345.67"}],
            "units": [{"unit": f"U{i:06d}", "coefficient": "1"} for i in range(ROWS)],
        }
        parts = bootstrap(Settings.from_environment({"PRORATA_DATA_DIR": folder}))
        print(f"{ROWS} rows; simulate and raw parse: best of 5 rounds, in turns")
        for name, path, raw in (("XLSX", xlsx, raw_xlsx), ("CSV", csv_path, raw_csv)):
            parse, sim = best_of_rounds(
                partial(raw, path), partial(simulate, request, parts.spreadsheet_reader, ReadingsFile(path))
            )
            print(
                f"  {name}: raw parse {parse:6.2f} s ({ROWS / parse:9,.0f} rows/s) | simulate {sim:6.2f} s "
                f"({ROWS / sim:9,.0f} rows/s) | ratio simulate / raw parse {sim / parse:5.2f}"
            )


if __name__ == "__main__":
    main()
