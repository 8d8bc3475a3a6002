"""Finding the columns of a readings file by their headers in Spanish, Catalan, French, German, English."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Field(StrEnum):
    """What a column of a readings file can hold; the keys of a mapping."""

    UNIT = "unit"
    METER = "meter"
    PREVIOUS = "previous"
    CURRENT = "current"
    CONSUMPTION = "consumption"
    FACTOR = "factor"
    DATE = "date"


# Compared after `normalize`: lower case, no accents, punctuation as spaces, units in brackets dropped.
SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.UNIT: (
        "unit",
        "unit code",
        "dwelling",
        "flat",
        "apartment",
        "property unit",
        "unidad",
        "vivienda",
        "piso",
        "puerta",
        "inmueble",
        "departamento",
        "ref piso",
        "codigo vivienda",
        "cod vivienda",
        "codigo unidad",
        "finca",
        "propiedad",
        "local",
        "habitatge",
        "pis",
        "unitat",
        "porta",
        "departament",
        "entitat",
        "logement",
        "lot",
        "n lot",
        "numero de lot",
        "appartement",
        "local",
        "wohnung",
        "einheit",
        "nutzeinheit",
        "wohnungsnummer",
        "wohnung nr",
        "whg",
        "whg nr",
        "ne",
        "ne nr",
    ),
    Field.METER: (
        "meter",
        "meter id",
        "meter number",
        "meter serial",
        "serial",
        "serial number",
        "device",
        "allocator",
        "contador",
        "n contador",
        "num contador",
        "numero contador",
        "numero de contador",
        "no contador",
        "repartidor",
        "n repartidor",
        "numero repartidor",
        "aparato",
        "num cont",
        "comptador",
        "n comptador",
        "numero comptador",
        "numero de comptador",
        "compteur",
        "n compteur",
        "numero compteur",
        "numero de compteur",
        "repartiteur",
        "appareil",
        "zahler",
        "zahlernummer",
        "zahler nr",
        "gerat",
        "geratenummer",
        "gerate nr",
        "heizkostenverteiler",
        "hkv",
        "hkv nr",
    ),
    Field.PREVIOUS: (
        "previous",
        "previous reading",
        "previous index",
        "opening",
        "opening reading",
        "start reading",
        "initial reading",
        "last reading",
        "lectura anterior",
        "lectura inicial",
        "lectura previa",
        "anterior",
        "inicial",
        "lect ant",
        "l ant",
        "lectura ant",
        "indice anterior",
        "lectura inici",
        "lectura anterior",
        "lectura inicial",
        "index precedent",
        "ancien index",
        "index initial",
        "index debut",
        "releve precedent",
        "releve initial",
        "index ancien",
        "vorheriger stand",
        "anfangsstand",
        "alter stand",
        "zahlerstand alt",
        "vorjahresstand",
        "stand alt",
        "altstand",
        "ablesung alt",
        "vorablesung",
    ),
    Field.CURRENT: (
        "current",
        "current reading",
        "current index",
        "closing",
        "closing reading",
        "end reading",
        "final reading",
        "new reading",
        "reading",
        "lectura actual",
        "lectura final",
        "actual",
        "final",
        "lect act",
        "l act",
        "lectura act",
        "lectura",
        "indice actual",
        "lectura nueva",
        "lectura actual",
        "lectura final",
        "index actuel",
        "nouvel index",
        "index final",
        "index fin",
        "releve actuel",
        "releve final",
        "index nouveau",
        "index",
        "aktueller stand",
        "endstand",
        "neuer stand",
        "zahlerstand neu",
        "zahlerstand",
        "stand neu",
        "neustand",
        "ablesung",
        "ablesewert",
        "ablesung neu",
    ),
    Field.CONSUMPTION: (
        "consumption",
        "usage",
        "consumed",
        "units consumed",
        "consumo",
        "consumo periodo",
        "consum",
        "consommation",
        "verbrauch",
        "verbrauchseinheiten",
        "einheiten",
        "verbrauchswert",
    ),
    Field.FACTOR: (
        "factor",
        "rating",
        "conversion factor",
        "multiplier",
        "factor k",
        "factor de correccion",
        "factor correccion",
        "coeficiente radiador",
        "factor radiador",
        "facteur",
        "coefficient radiateur",
        "faktor",
        "bewertungsfaktor",
        "umrechnungsfaktor",
        "kc",
        "k",
    ),
    Field.DATE: (
        "date",
        "reading date",
        "read on",
        "fecha",
        "fecha lectura",
        "fecha de lectura",
        "data",
        "data lectura",
        "data de lectura",
        "date releve",
        "date de releve",
        "date du releve",
        "datum",
        "ablesedatum",
        "ablesetag",
    ),
}

# Words after a header's name that only give its unit: "Consumo kWh", "Lectura m3".
_UNIT_WORDS = {"m3", "kwh", "mwh", "l", "litros", "liters", "litres", "ud", "uds", "units", "unidades", "eur"}

_LOOKUP: dict[str, Field] = {}
for _field, _names in SYNONYMS.items():
    for _name in _names:
        _LOOKUP.setdefault(_name, _field)


def normalize(header: str) -> str:
    """ "Lectura Anterior (m³)" -> "lectura anterior"; "Zählernummer" -> "zahlernummer"."""
    text = re.sub(r"[(\[].*?[)\]]", " ", header)
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("nº", "n").replace("n°", "n").replace("º", "").replace("°", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def field_for(header: str) -> Field | None:
    """The field a header names by its synonyms, also when followed by a unit ("Consumo kWh") or
    when a name of two words or more is followed by anything ("Lectura anterior 31/12")."""
    name = normalize(header)
    if name in _LOOKUP:
        return _LOOKUP[name]
    words = name.split()
    for cut in range(len(words) - 1, 0, -1):
        field = _LOOKUP.get(" ".join(words[:cut]))
        if field is not None and (cut >= 2 or set(words[cut:]) <= _UNIT_WORDS):
            return field
    return None
