"""The demo tenant's records: one community whose units, owners and heating bill are those of the bundled
sample (tests/fixtures/samples: `settlement-heating.json`, `readings-heating-es.csv`), with residents in
the four languages, push addresses, IBANs and SEPA mandates — enough to try every step by hand.

The owners' names are the sample file's `Propietario` column: its import then finds them as the units'
owners (same name, same community) instead of making new ones."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from prorata.domain.community.model import Language, OccupancyRole

TENANT = "Demo — Fincas de prueba"
COMMUNITY: dict[str, Any] = {
    "code": "DEMO",
    "name": "CP Calle de la Demo 1",
    "address": "Calle de la Demo 1, 28001 Madrid",
    "tax_id": "H28123453",
    "iban": "ES9121000418450200051332",
    "creditor_id": "ES89000H28123453",  # ES + MOD 97-10 check digits + 000 + the community's NIF
}
# (code, coefficient, area) in the community's order, as settlement-heating.json lists them.
UNITS = [
    ("Bajo A", "9.80", "68"),
    ("Bajo B", "9.80", "68"),
    ("1º A", "10.20", "71"),
    ("1º B", "10.20", "71"),
    ("2º A", "10.20", "71"),
    ("2º B", "10.20", "71"),
    ("3º A", "10.60", "74"),
    ("3º B", "10.60", "74"),
    ("Ático", "18.40", "126"),
]
HELD_SINCE = date(2025, 1, 1)
MANDATES_SIGNED_ON = date(2025, 1, 15)


@dataclass(frozen=True, slots=True)
class DemoResident:
    name: str
    unit: str
    role: OccupancyRole
    language: Language
    iban: str | None = None

    @property
    def external_id(self) -> str:
        """The resident's push address, as the management company's app would register it."""
        return "demo-" + "-".join(self.name.lower().split())

    @property
    def mandate_id(self) -> str:
        """The SEPA mandate reference: ASCII letters, digits and hyphens (`DEMO-ROSA-DIAZ`), as banks take."""
        plain = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        return "DEMO-" + "-".join(re.sub(r"[^A-Za-z0-9 ]", "", plain).upper().split())


_OWNER, _OCCUPANT = OccupancyRole.OWNER, OccupancyRole.OCCUPANT
RESIDENTS = [
    DemoResident("Rosa Díaz", "Bajo A", _OWNER, Language.ES, "ES0821000418414502000500"),
    DemoResident("Jordi Puig", "Bajo B", _OWNER, Language.CA, "ES8021000418424502000513"),
    DemoResident("Marta Gómez", "1º A", _OWNER, Language.ES, "ES5521000418434502000526"),
    DemoResident("Luis Ferrándiz", "1º B", _OWNER, Language.FR, "ES3021000418444502000539"),
    DemoResident("Carmen Ortiz", "2º A", _OWNER, Language.ES, "ES7521000418474502000552"),
    DemoResident("Pedro Alcalá", "2º B", _OWNER, Language.EN, "ES5021000418484502000565"),
    DemoResident("Nuria Bosch", "3º A", _OWNER, Language.CA, "ES2521000418494502000578"),
    DemoResident("Iván Rey", "3º B", _OWNER, Language.ES, "ES7321000418414502000591"),
    DemoResident("Sofía Marín", "Ático", _OWNER, Language.ES, "ES8321000418434502000604"),
    # Tenants renting a flat: told when a receipt is issued, not of its owner's bank debits.
    DemoResident("Claire Dubois", "2º B", _OCCUPANT, Language.FR),
    DemoResident("James Wilson", "3º B", _OCCUPANT, Language.EN),
]
# Heating bills kept for the community: last quarter's, which the demo imports and publishes at start,
# and this one's — settlement-heating.json's — which waits, open, for the sample readings file.
LAST_QUARTER: dict[str, Any] = {
    "service": "heating",
    "period": {"from": "2025-10-01", "to": "2025-12-31"},
    "currency": "EUR",
    "consumption_share": "0.70",
    "fixed_key": "coefficient",
    "costs": [
        {"concept": "Gas natural", "amount": "6104.75"},
        {
            "concept": "Mantenimiento caldera",
            "amount": "390.00",
            "consumption_share": "0",
            "fixed_key": "equal",
        },
    ],
}
THIS_QUARTER: dict[str, Any] = {
    **LAST_QUARTER,
    "period": {"from": "2026-01-01", "to": "2026-03-31"},
    "costs": [
        {"concept": "Gas natural", "amount": "7420.18"},
        {
            "concept": "Mantenimiento caldera",
            "amount": "390.00",
            "consumption_share": "0",
            "fixed_key": "equal",
        },
    ],
}
# Last quarter's readings: each meter's last one is where readings-heating-es.csv starts ("Lectura
# inicial"), so the sample file's quarter follows on. (unit, meter, previous, current)
LAST_QUARTER_READINGS = [
    ("Bajo A", "CAL-0101", "881,2", "1022,4"),
    ("Bajo B", "CAL-0102", "738,0", "833,0"),
    ("1º A", "CAL-0103", "1986,85", "2140,75"),
    ("1º B", "CAL-0104", "281,9", "410,2"),
    ("2º A", "CAL-0105", "900,8", "990"),
    ("2º B", "CAL-0106", "1358,7", "1505,5"),
    ("3º A", "CAL-0107", "7,3", "77,3"),
    ("3º B", "CAL-0108", "3210,2", "3300,0"),
    ("Ático", "CAL-0109", "4701,3", "5012,9"),
]
LAST_QUARTER_FILE = "lecturas-calefaccion-2025T4.csv"
LAST_QUARTER_READ_ON = "31/12/2025"
READINGS_SAMPLE = "readings-heating-es.csv"
WITH_COMMUNITY_COLUMN_SAMPLE = "export-multi-community.xlsx"


def last_quarter_file() -> str:
    """Last quarter's readings as the community's metering company exports them (`;`, decimal comma)."""
    owners = {r.unit: r.name for r in RESIDENTS if r.role is OccupancyRole.OWNER}
    rows = ["Piso;Contador;Propietario;Lectura inicial;Lectura final;Fecha"]
    for unit, meter, previous, current in LAST_QUARTER_READINGS:
        rows.append(f"{unit};{meter};{owners[unit]};{previous};{current};{LAST_QUARTER_READ_ON}")
    return "\r\n".join(rows) + "\r\n"


def unit_keys(coefficient: str, area: str) -> tuple[Decimal, Decimal]:
    return Decimal(coefficient), Decimal(area)
