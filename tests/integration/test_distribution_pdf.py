"""The distribution sheet's PDF as a person reads it (poppler's pdftotext): every unit, every pool's rate,
the totals and the check, on pages that each say which page they are and repeat the table's header."""

from __future__ import annotations

import re
from collections import Counter

from prorata.adapters.pdf.borb_runtime import font
from prorata.adapters.pdf.distribution_pdf import BorbDistributionPdf
from prorata.adapters.pdf.table_fonts import table_font
from prorata.domain.community.model import Language
from tests.distribution_samples import TERMS, pdf_pages, sample, units


def test_the_sheet_shows_every_unit_every_rate_the_totals_and_the_check() -> None:
    sheet = sample(4, published=True)
    [page] = pdf_pages(BorbDistributionPdf().render(sheet, Language.EN))
    for row in sheet.rows:
        line = next(line for line in page.splitlines() if line.startswith(row.code))
        assert f"{row.total:,.2f}" in line
        assert all(f"{amount:,.2f}" in line for amount in row.amounts)
    for pool in sheet.pools:
        assert pool.rate is not None
        assert f"{pool.rate:,.6f}" in page
    *_, totals = (line for line in page.splitlines() if line.startswith("Total "))  # the units' totals
    assert all(f"{total:,.2f}" in totals for total in sheet.pool_totals)
    assert re.search(r"Bill\s+6,603\.45 EUR", page)
    assert re.search(r"Receipts total\s+6,603\.45 EUR", page)
    assert re.search(r"Difference\s+0\.00 EUR", page)
    assert "the receipts add up to the bill, to the cent" in page
    assert "Settlement 7 · published" in page
    assert "page 1 of 1" in page


def test_a_thousand_units_take_several_pages_each_with_its_number_and_the_header() -> None:
    sheet = sample(1000)
    pdf = BorbDistributionPdf().render(sheet, Language.EN)  # its time: bench_distribution.py
    pages = pdf_pages(pdf)
    assert len(pages) > 20
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in page
        assert "Distribution sheet · CP Calle Mayor 12 (C0012)" in page
    first_unit_page = next(n for n, page in enumerate(pages) if "U0001" in page)
    for page in pages[first_unit_page:]:
        assert re.search(r"^Unit\s+Kind\s+Coefficient\s+Area \(m2\)\s+Consumption\s+P1 Gasóleo", page, re.M)
    codes = Counter(re.findall(r"\bU\d{4}\b", "".join(pages)))
    assert set(codes) == {row.code for row in sheet.rows}
    assert set(codes.values()) == {1}
    assert "6,603.45" in pages[-1]  # the totals row, once, on the last page


def test_a_settlement_with_more_pools_than_a_page_is_wide_shows_them_in_bands() -> None:
    costs = [
        {"concept": f"Concepto {n}", "amount": f"{100 + n}.00", "consumption_share": "0.5"} for n in range(8)
    ]
    sheet = sample(terms={**TERMS, "costs": costs}, contract_units=units(30))
    pages = pdf_pages(BorbDistributionPdf().render(sheet, Language.EN))
    text = "".join(pages)
    assert len(sheet.pools) == 16
    for number in range(1, 17):
        assert re.search(rf"\bP{number} Concepto", text), f"P{number}"
    bands = len(re.findall(r"^Units \(1/(\d)\)", text, re.M))
    assert bands >= 1
    codes = Counter(re.findall(r"\bU\d{4}\b", text))
    assert len(set(codes.values())) == 1
    assert next(iter(codes.values())) > 1
    assert f"{sheet.receipts_total:,.2f}" in pages[-1]


def test_text_the_font_cannot_print_comes_out_as_question_marks_not_an_error() -> None:
    hostile = units(3)
    hostile[0]["unit"] = "日本-1"
    hostile[1]["unit"] = '=HYPERLINK("http://evil.example")'
    hostile[2]["unit"] = "X" * 50
    sheet = sample(contract_units=hostile, community_name="Comunidad «Sol» 1º\n2ª")
    [page] = pdf_pages(BorbDistributionPdf().render(sheet, Language.ES))
    assert "??-1" in page
    assert '=HYPERLINK("http://evil.exa…' in page  # as text, cut to its column
    assert "XXXXXXXX…" in page
    assert 'Comunidad "Sol" 1º 2ª' in page
    assert "página 1 de 1" in page
    assert "los recibos suman la factura, al céntimo" in page


def test_a_name_too_long_for_the_heading_is_cut_not_drawn_over_the_page_edge() -> None:
    sheet = sample(2, community_name="Comunidad de Propietarios " + "Muy Larga " * 30)
    [page] = pdf_pages(BorbDistributionPdf().render(sheet, Language.EN))
    heading = page.splitlines()[0]
    assert heading.startswith("Distribution sheet · Comunidad de Propietarios Muy Larga")
    assert "…" in heading
    assert heading.rstrip().endswith("Settlement draft")


def test_each_language_writes_its_words_and_numbers() -> None:
    sheet = sample(2, published=True)
    expected = {
        Language.ES: ("Hoja de reparto", "6.603,45", "Precio unitario", "página 1 de 1"),
        Language.CA: ("Full de repartiment", "6.603,45", "Preu unitari", "pàgina 1 de 1"),
        Language.FR: ("Tableau de répartition", "6 603,45", "Prix unitaire", "page 1 sur 1"),
        Language.EN: ("Distribution sheet", "6,603.45", "Rate", "page 1 of 1"),
    }
    for language, words in expected.items():
        [page] = pdf_pages(BorbDistributionPdf().render(sheet, language))
        assert all(word in page for word in words), (language, page)


def test_the_table_font_measures_every_character_as_the_font_it_copies() -> None:
    for bold in (False, True):
        shared, compact = font(bold), table_font(bold)
        for code in range(0x20, 0x2200):
            character = chr(code)
            if shared.get_character_code(character) != -1:
                assert compact.get_width(character, font_size=1000) == shared.get_width(
                    character, font_size=1000
                )
