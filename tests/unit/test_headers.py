import pytest

from prorata.domain.readings.headers import SYNONYMS, Field, field_for


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # Spanish
        ("Piso", Field.UNIT),
        ("Vivienda", Field.UNIT),
        ("Nº Contador", Field.METER),
        ("Nº Repartidor", Field.METER),  # a heat cost allocator's serial, as metering companies head it
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


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # The community's collection account, its bank, its SEPA creditor identifier
        ("IBAN comunidad", Field.COMMUNITY_IBAN),
        ("Cuenta comunidad", Field.COMMUNITY_IBAN),
        ("Nº cuenta comunidad", Field.COMMUNITY_IBAN),
        ("Cuenta bancaria de la comunidad", Field.COMMUNITY_IBAN),
        ("Cuenta de cobro", Field.COMMUNITY_IBAN),
        ("IBAN (comunidad)", Field.COMMUNITY_IBAN),  # brackets hold a unit ("m³") elsewhere
        ("Cuenta [de la comunidad]", Field.COMMUNITY_IBAN),
        ("IBAN comunitat", Field.COMMUNITY_IBAN),
        ("Compte de la comunitat", Field.COMMUNITY_IBAN),
        ("IBAN copropriété", Field.COMMUNITY_IBAN),
        ("Compte bancaire du syndicat des copropriétaires", Field.COMMUNITY_IBAN),
        ("IBAN WEG", Field.COMMUNITY_IBAN),
        ("Hausgeldkonto", Field.COMMUNITY_IBAN),
        ("Community IBAN", Field.COMMUNITY_IBAN),
        ("Creditor account", Field.COMMUNITY_IBAN),
        ("BIC comunidad", Field.COMMUNITY_BIC),
        ("BIC comunitat", Field.COMMUNITY_BIC),
        ("BIC copropriété", Field.COMMUNITY_BIC),
        ("BIC WEG", Field.COMMUNITY_BIC),
        ("Community BIC", Field.COMMUNITY_BIC),
        ("Identificador acreedor", Field.CREDITOR_ID),
        ("Identificador del acreedor SEPA", Field.CREDITOR_ID),
        ("Identificador creditor", Field.CREDITOR_ID),
        ("ICS", Field.CREDITOR_ID),
        ("Identifiant créancier SEPA", Field.CREDITOR_ID),
        ("Gläubiger-ID", Field.CREDITOR_ID),
        ("Gläubiger-Identifikationsnummer", Field.CREDITOR_ID),
        ("Creditor ID", Field.CREDITOR_ID),
        ("SEPA creditor identifier", Field.CREDITOR_ID),
    ],
)
def test_recognises_the_communitys_creditor_columns(header: str, field: Field) -> None:
    assert field_for(header) is field


@pytest.mark.parametrize("header", ["IBAN", "Cuenta", "Cuenta bancaria", "Compte bancaire", "Bank account"])
def test_an_iban_column_without_the_community_is_the_owners(header: str) -> None:
    assert field_for(header) is Field.IBAN


def test_every_synonym_names_its_own_field() -> None:
    named = {name: field for field, names in SYNONYMS.items() for name in names}
    assert {name: field_for(name) for name in named} == named
