"""A management system's export for one community, as the operations tests and benchmarks drop it: a
workbook with its readings, its heating bill and its units' owners (named by tax id, so that residents
registered beforehand over REST — with their push address — are the owners the file names)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl

PERIOD_END = "31/03/2026"


@dataclass(frozen=True)
class Owner:
    unit: str
    name: str
    tax_id: str


def owners(code: str, units: int) -> list[Owner]:
    """The community's units and their owners: unit `1`, `2`…, tax ids unique per community code."""
    digits = "".join(ch for ch in code if ch.isdigit()) or "0"
    return [Owner(str(n), f"Propietario {code}-{n}", f"T{digits}X{n:07d}") for n in range(1, units + 1)]


def community_workbook(code: str, units: int = 3, amount: str = "300.00") -> bytes:
    """Readings (one heat meter per unit), costs (a consumption line and a fixed one by coefficient) and
    units (coefficient, area, owner, NIF) of community `code`: an import settles it by itself."""
    people = owners(code, units)
    book = openpyxl.Workbook(write_only=True)
    readings = book.create_sheet("Lecturas")
    readings.append(
        ["Cod. Comunidad", "Vivienda", "Nº Contador", "Lectura anterior", "Lectura actual", "Fecha"]
    )
    for n, owner in enumerate(people, start=1):
        start = 1000 + n
        readings.append([code, owner.unit, f"{code}-M{n}", start, start + 10 + n % 17, PERIOD_END])
    costs = book.create_sheet("Gastos")
    costs.append(["Cod. Comunidad", "Servicio", "Concepto", "Importe", "Parte consumo", "Reparto fijo"])
    costs.append([code, "calefacción", "Gasóleo", float(amount), 0.7, "coeficiente"])
    dwellings = book.create_sheet("Viviendas")
    dwellings.append(["Cod. Comunidad", "Vivienda", "Coeficiente", "Superficie m2", "Propietario", "NIF"])
    for n, owner in enumerate(people, start=1):
        dwellings.append([code, owner.unit, 1, 60 + n % 40, owner.name, owner.tax_id])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
