"""Values people write in cost sheets: services and allocation keys in five languages."""

from __future__ import annotations

from prorata.domain.readings.headers import normalize
from prorata.domain.settlement.request import FixedKey, Service

_SERVICES: dict[Service, tuple[str, ...]] = {
    Service.HEATING: ("heating", "calefaccion", "calefaccio", "chauffage", "heizung", "heizkosten", "heat"),
    Service.HOT_WATER: (
        "hot water",
        "hot_water",
        "agua caliente",
        "acs",
        "aigua calenta",
        "eau chaude",
        "ecs",
        "warmwasser",
    ),
    Service.COLD_WATER: (
        "cold water",
        "cold_water",
        "water",
        "agua",
        "agua fria",
        "aigua",
        "aigua freda",
        "eau",
        "eau froide",
        "kaltwasser",
        "wasser",
    ),
    Service.GAS: ("gas", "gaz"),
    Service.ELECTRICITY: (
        "electricity",
        "electricidad",
        "electricitat",
        "electricite",
        "strom",
        "luz",
        "llum",
    ),
    Service.OTHER: ("other", "otros", "altres", "autres", "sonstige"),
}
_KEYS: dict[FixedKey, tuple[str, ...]] = {
    FixedKey.COEFFICIENT: (
        "coefficient",
        "coeficiente",
        "coeficient",
        "cuota",
        "quota",
        "tantiemes",
        "mea",
        "miteigentumsanteil",
        "miteigentumsanteile",
    ),
    FixedKey.AREA: ("area", "superficie", "m2", "surface", "flache", "wohnflache", "qm"),
    FixedKey.EQUAL: (
        "equal",
        "equal shares",
        "partes iguales",
        "iguales",
        "a partes iguales",
        "parts iguals",
        "parts egales",
        "egal",
        "gleich",
        "gleiche teile",
        "nach einheiten",
        "por vivienda",
    ),
}
_SERVICE_LOOKUP = {name: service for service, names in _SERVICES.items() for name in names}
_KEY_LOOKUP = {name: key for key, names in _KEYS.items() for name in names}


def service_named(text: str) -> Service | None:
    return _SERVICE_LOOKUP.get(normalize(text).replace("_", " ")) or _SERVICE_LOOKUP.get(text.strip().lower())


def key_named(text: str) -> FixedKey | None:
    return _KEY_LOOKUP.get(normalize(text))
