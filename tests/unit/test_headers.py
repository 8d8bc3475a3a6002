import pytest

from prorata.domain.readings.headers import Field, field_for


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # Spanish
        ("Piso", Field.UNIT),
        ("Vivienda", Field.UNIT),
        ("Nº Contador", Field.METER),
        ("Lectura inicial", Field.PREVIOUS),
        ("Lectura Anterior (m³)", Field.PREVIOUS),
        ("Lectura final", Field.CURRENT),
        ("Consumo kWh", Field.CONSUMPTION),
        ("Fecha", Field.DATE),
        # Catalan
        ("Habitatge", Field.UNIT),
        ("Comptador", Field.METER),
        ("Consum", Field.CONSUMPTION),
        # French
        ("Logement", Field.UNIT),
        ("N° compteur", Field.METER),
        ("Ancien index", Field.PREVIOUS),
        ("Nouvel index", Field.CURRENT),
        ("Consommation", Field.CONSUMPTION),
        ("Date du relevé", Field.DATE),
        # German
        ("Wohnung", Field.UNIT),
        ("Zählernummer", Field.METER),
        ("Anfangsstand", Field.PREVIOUS),
        ("Endstand", Field.CURRENT),
        ("Verbrauch", Field.CONSUMPTION),
        ("Bewertungsfaktor", Field.FACTOR),
        ("Ablesedatum", Field.DATE),
        # English
        ("Unit", Field.UNIT),
        ("Meter ID", Field.METER),
        ("Previous reading", Field.PREVIOUS),
        ("Current Reading", Field.CURRENT),
        ("Factor", Field.FACTOR),
    ],
)
def test_recognises_headers_in_five_languages(header: str, field: Field) -> None:
    assert field_for(header) is field


@pytest.mark.parametrize("header", ["Observaciones", "Teléfono", "Lectura fecha", "Notes"])
def test_leaves_other_columns_alone(header: str) -> None:
    assert field_for(header) is None
