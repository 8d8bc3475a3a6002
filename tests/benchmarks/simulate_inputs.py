"""The inputs of the simulate benchmarks, made afresh from a seed: a heating settlement of many units (two
cost lines, coefficient and area per unit, one unit in a hundred unread and estimated) and its readings
as a spreadsheet export (XLSX) and as a CSV with decimal commas."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

HEADER = ["Vivienda", "Nº Contador", "Lectura anterior", "Lectura actual"]


@dataclass(frozen=True, slots=True)
class SimulateInputs:
    request: Path  # the units without readings: those are in the files
    xlsx: Path
    csv: Path
    request_with_readings: Path  # the same settlement with each unit's reading in it, for the API


def inputs_in(folder: Path) -> SimulateInputs:
    return SimulateInputs(
        folder / "request.json",
        folder / "lecturas.xlsx",
        folder / "lecturas.csv",
        folder / "api-request.json",
    )


def write_inputs(folder: Path, units: int, seed: int = 2026) -> SimulateInputs:
    rng = random.Random(seed)
    request: dict[str, Any] = {
        "service": "heating",
        "period": {"from": "2026-01-01", "to": "2026-06-30"},
        "consumption_share": "0.70",
        "fixed_key": "coefficient",
        "estimation": {"method": "area_average", "max_area_share": "0.25"},
        "costs": [
            {"concept": "Gasóleo", "amount": "4123456.45"},
            {"concept": "Mantenimiento", "amount": "96000.00", "consumption_share": "0", "fixed_key": "area"},
        ],
        "units": [],
    }
    rows: list[tuple[str, str, float, float]] = []
    for index in range(units):
        code = f"U{index:06d}"
        request["units"].append(
            {
                "unit": code,
                "coefficient": f"{rng.randint(100, 3000) / 1000:.3f}",
                "area": str(rng.randint(40, 180)),
            }
        )
        if index % 100 == 7:  # one unit in a hundred unread: estimated by area
            continue
        previous = rng.randint(0, 90_000) + rng.randint(0, 999) / 1000
        rows.append((code, f"HC-{index}", previous, round(previous + rng.randint(1, 4000) / 10, 3)))
    paths = inputs_in(folder)
    paths.request.write_text(json.dumps(request, ensure_ascii=False, indent=1), encoding="utf-8")
    read = {code: (meter, previous, current) for code, meter, previous, current in rows}
    for unit in request["units"]:
        if unit["unit"] in read:
            meter, previous, current = read[unit["unit"]]
            unit["readings"] = [{"meter": meter, "previous": f"{previous:.3f}", "current": f"{current:.3f}"}]
    paths.request_with_readings.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Lecturas")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(paths.xlsx)
    with paths.csv.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([f"{v:.3f}".replace(".", ",") if isinstance(v, float) else v for v in row])
    return paths
