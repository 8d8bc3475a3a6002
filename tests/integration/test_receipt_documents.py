"""A receipt says what it is, over REST and as a PDF: community, unit, payer with the IBAN masked, service,
period, dates and status in its JSON; the PDF in the reader's language, rendered on the first download
and then served as kept until the receipt moves; a resident reaches only her own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import event

from prorata.adapters.pdf.receipt_pdf import TEMPLATE_VERSION, BorbReceiptRenderer
from prorata.application.receipt_documents import receipt_pdf
from prorata.application.receipt_facts import document_facts, receipt_facts
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from prorata.domain.receipts.catalogue import Catalogue
from prorata.domain.receipts.document import ReceiptDocument
from prorata.domain.receipts.lifecycle import EventType
from prorata.domain.receipts.receipt import Move, move
from prorata.entrypoints.api.receipt_pdfs import attachment
from prorata.entrypoints.cli.main import main
from tests.api_client import Caller, key_for, new_tenant
from tests.pdf_text import flowing, pdf_text

IBAN = "ES91 2100 0418 4502 0005 1332"
READINGS = {  # serial: values on 2025-01-01, 2025-03-31, 2026-01-01, 2026-03-31
    "HC-1A": ("40", "90", "100", "160"),
    "HC-1B": ("10", "45", "50.5", "90.5"),
}


def build(manager: Caller, community: dict[str, Any]) -> dict[str, Any]:
    """The community of the settlement flow (1A, 1B metered, Local not), read in 2025 and 2026; Rosa
    owns 1A (IBAN and mandate, Spanish), Jordi owns 1B (no mandate, Catalan), nobody owns Local."""
    manager.patch(
        f"/v1/communities/{community['id']}", {"address": "Calle Mayor 12, Madrid", "tax_id": "H12345678"}
    )
    base = f"/v1/communities/{community['id']}/units"
    units = {
        code: manager.created(base, {"code": code, "coefficient": coefficient, "area": area})["id"]
        for code, coefficient, area in (("1A", "40", "80"), ("1B", "35", "70"), ("Local", "25", "50"))
    }
    batch = []
    for serial, values in READINGS.items():
        meter = manager.created(
            "/v1/meters", {"unit_id": units[serial[3:]], "serial": serial, "service": "heating"}
        )
        days = ("2025-01-01", "2025-03-31", "2026-01-01", "2026-03-31")
        batch += [{"meter_id": meter["id"], "date": d, "value": v} for d, v in zip(days, values, strict=True)]
    manager.created("/v1/readings", {"readings": batch})
    rosa = manager.created(
        "/v1/residents",
        {"name": "Rosa Díaz", "language": "es", "iban": IBAN, "mandate_id": "M-1",
         "units": [{"unit_id": units["1A"], "role": "owner", "since": "2020-01-01"}]},
    )  # fmt: skip
    jordi = manager.created(
        "/v1/residents",
        {"name": "Jordi Puig", "language": "ca", "units": [{"unit_id": units["1B"], "role": "owner"}]},
    )
    last_year = publish(manager, community["id"], "2025-01-01", "2025-03-31")
    receipts = publish(manager, community["id"], "2026-01-01", "2026-03-31")
    return {"units": units, "rosa": rosa, "jordi": jordi, "receipts": receipts, "last_year": last_year}


def publish(manager: Caller, community_id: str, start: str, end: str) -> dict[str, Any]:
    terms = {
        "community_id": community_id,
        "service": "heating",
        "period": {"from": start, "to": end},
        "consumption_share": "0.70",
        "costs": [{"concept": "Gas", "amount": "1000.00"}],
    }
    settlement = manager.created("/v1/settlements", terms)
    published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
    assert published.status_code == 201, published.get_json()
    return {r["unit"]["code"]: r for r in published.get_json()["receipts"]}


@pytest.fixture(scope="module")
def world(app: Flask, components: Components) -> dict[str, Any]:
    """Built once per database; the tests below move or download different receipts of it (1B is paid in
    one, Local is never downloaded)."""
    manager = Caller(app.test_client(), key_for(components, Role.MANAGER, new_tenant(components)))
    community = manager.created("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
    return {**build(manager, community), "manager": manager}


@pytest.fixture
def manager(world: dict[str, Any]) -> Caller:
    caller: Caller = world["manager"]
    return caller


def resident(app: Flask, components: Components, who: dict[str, Any]) -> Caller:
    with components.unit_of_work() as uow:
        found = uow.residents.get(None, who["id"])
        assert found is not None
    return Caller(app.test_client(), key_for(components, Role.RESIDENT, found.tenant_id, found.id))


def test_a_receipt_says_what_it_is(manager: Caller, world: dict[str, Any]) -> None:
    published = world["receipts"]["1A"]
    listed = manager.get(f"/v1/receipts?settlement_id={published['settlement_id']}").get_json()
    one = manager.get(f"/v1/receipts/{published['id']}").get_json()
    assert published == next(r for r in listed if r["id"] == published["id"]) == one
    today = datetime.now(UTC).date()
    assert one["community"] == {
        "code": "C0012", "name": "CP Calle Mayor 12", "address": "Calle Mayor 12, Madrid",
        "tax_id": "H12345678",
    }  # fmt: skip
    assert one["unit"] == {"id": world["units"]["1A"], "code": "1A", "kind": "dwelling", "coefficient": "40",
                           "area": "80"}  # fmt: skip
    assert one["payer"] == {"name": "Rosa Díaz", "iban": "ES91 **** **** **** **** 1332"}
    assert (one["service"], one["period"]) == ("heating", {"from": "2026-01-01", "to": "2026-03-31"})
    assert (one["issued_on"], one["status"], one["status_on"]) == (
        today.isoformat(),
        "issued",
        today.isoformat(),
    )
    assert date.fromisoformat(one["due_on"]) > today
    assert (one["currency"], one["total"], one["unit_id"]) == ("EUR", "540.00", world["units"]["1A"])
    assert [line["amount"] for line in one["detail"]["lines"]] == ["420.00", "120.00"]
    assert world["receipts"]["Local"]["payer"] is None


def test_listing_many_receipts_gathers_their_facts_in_a_fixed_number_of_queries(
    components: Components, world: dict[str, Any]
) -> None:
    with components.unit_of_work() as uow:
        receipts = uow.receipts.list(None, id=[r["id"] for r in world["receipts"].values()]).items
        first = [r for r in receipts if r.id == world["receipts"]["1A"]["id"]]  # metered, with a payer
        one = count_queries(uow, lambda: document_facts(uow, receipt_facts(uow, first)))
        three = count_queries(uow, lambda: document_facts(uow, receipt_facts(uow, receipts)))
    assert len(receipts) == 3
    assert three == one


def count_queries(uow: Any, work: Any) -> int:
    """The statements `work` runs on the unit of work's own connection (not the worker threads')."""
    executed = []
    listener = lambda *args: executed.append(1)  # noqa: E731
    event.listen(uow.connection, "before_cursor_execute", listener)
    try:
        work()
    finally:
        event.remove(uow.connection, "before_cursor_execute", listener)
    return len(executed)


def test_the_document_compares_with_last_year_and_the_community(
    components: Components, world: dict[str, Any]
) -> None:
    with components.unit_of_work() as uow:
        receipt = uow.receipts.get(None, world["receipts"]["1A"]["id"])
        assert receipt is not None
        [facts] = document_facts(uow, receipt_facts(uow, [receipt]))
    assert facts.last_year == Decimal(50)  # 90 − 40 in the same period of 2025
    assert facts.average_per_area is not None
    assert round(facts.average_per_area * 80, 3) == Decimal("53.333")  # (60 + 40) / (80 + 70) × 80
    assert [(p.amount, p.weight) for p in facts.pools] == [
        (Decimal("700.00"), Decimal(100)),
        (Decimal("300.00"), Decimal(100)),
    ]
    assert [e.type for e in facts.history] == [EventType.ISSUED]


@pytest.mark.parametrize("language", ["es", "ca", "fr", "en"])
def test_the_pdf_in_each_language_explains_the_amount_and_hides_the_iban(
    manager: Caller, world: dict[str, Any], language: str
) -> None:
    receipt = world["receipts"]["1A"]
    response = manager.get(f"/v1/receipts/{receipt['id']}/pdf?lang={language}")
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Language"] == language
    text = pdf_text(response.data)
    words = {
        "es": ["100", "160", "420,00 €", "120,00 €", "540,00 €", "Emitido", "Cálculo", "7,00 €"],
        "ca": ["100", "160", "420,00 €", "120,00 €", "540,00 €", "Emès", "Càlcul", "7,00 €"],
        "fr": ["100", "160", "420,00 €", "120,00 €", "540,00 €", "Émis", "Période", "7,00 €"],
        "en": ["100", "160", "€420.00", "€120.00", "€540.00", "Issued", "Floor area", "€7.00"],
    }[language]
    for expected in [*words, "Rosa Díaz", "ES91 **** **** **** **** 1332", receipt["number"]]:
        assert expected in text, expected
    assert "21000418" not in text.replace(" ", "")
    assert "50" in flowing(text)  # last year's consumption, in the comparison


def test_a_download_is_rendered_once_and_served_as_kept_until_the_receipt_moves(
    manager: Caller, components: Components, world: dict[str, Any]
) -> None:
    receipt = world["receipts"]["1B"]
    assert kept(components, receipt["id"]) == 0
    first = manager.get(f"/v1/receipts/{receipt['id']}/pdf")
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"] == f'attachment; filename="{receipt["number"]}.pdf"'
    assert first.headers["Content-Language"] == "ca"  # its payer's language
    etag = first.headers["ETag"]
    again = manager.get(f"/v1/receipts/{receipt['id']}/pdf")
    assert (again.headers["ETag"], again.data) == (etag, first.data)
    assert (
        manager.get(f"/v1/receipts/{receipt['id']}/pdf", headers={"If-None-Match": etag}).status_code == 304
    )
    assert kept(components, receipt["id"]) == 1

    paid_on = datetime.now(UTC).date()
    with components.unit_of_work() as uow:
        stored = uow.receipts.get(None, receipt["id"])
        assert stored is not None
        moved, entry = move(
            stored, Move(EventType.PAID, paid_on, "manager"), components.ids.new(), components.clock.now()
        )
        uow.receipts.update(moved)
        uow.receipt_events.add(entry)
        uow.commit()
    after = manager.get(f"/v1/receipts/{receipt['id']}/pdf", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert "Pagat" in pdf_text(after.data)
    assert kept(components, receipt["id"]) == 2


def kept(components: Components, receipt_id: str) -> int:
    """How many PDFs of the receipt are kept."""
    with components.unit_of_work() as uow:
        return sum(
            d.key.startswith(f"receipt-pdf/{receipt_id}/") for d in uow.rendered_documents.list(None).items
        )


def test_publishing_renders_no_pdf(components: Components, world: dict[str, Any]) -> None:
    assert kept(components, world["receipts"]["Local"]["id"]) == 0


def test_a_resident_downloads_her_own_pdf_in_her_language_and_nobody_else_s(
    app: Flask, components: Components, manager: Caller, world: dict[str, Any]
) -> None:
    rosa = resident(app, components, world["rosa"])
    own, other = world["receipts"]["1A"]["id"], world["receipts"]["1B"]["id"]
    mine = rosa.get(f"/v1/me/receipts/{own}/pdf")
    assert mine.status_code == 200
    assert mine.headers["Content-Language"] == "es"
    assert "Recibo" in pdf_text(mine.data)
    assert rosa.get(f"/v1/receipts/{own}/pdf?lang=en").headers["Content-Language"] == "en"
    assert rosa.get(f"/v1/me/receipts/{other}/pdf").status_code == 404
    assert rosa.get(f"/v1/receipts/{other}/pdf").status_code == 404
    assert manager.get(f"/v1/me/receipts/{own}/pdf").status_code == 403


def test_a_language_without_a_catalogue_is_refused(manager: Caller, world: dict[str, Any]) -> None:
    response = manager.get(f"/v1/receipts/{world['receipts']['1A']['id']}/pdf?lang=de")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "lang"


def test_a_pdf_filename_is_plain_ascii_with_the_name_itself_beside_it() -> None:
    assert attachment("C/01-00001-0001.pdf".replace("/", "_")) == 'attachment; filename="C_01-00001-0001.pdf"'
    assert attachment("Ñ-1.pdf") == "attachment; filename=\"N-1.pdf\"; filename*=UTF-8''%C3%91-1.pdf"


class RacedRenderer:
    """The real renderer, while another download of the same PDF renders and keeps its own first."""

    template_version = TEMPLATE_VERSION

    def __init__(self, components: Components, receipt_id: str) -> None:
        self.components = components
        self.receipt_id = receipt_id
        self.winner: str | None = None

    def render(self, document: ReceiptDocument, text: Catalogue) -> bytes:
        content = BorbReceiptRenderer().render(document, text)
        with self.components.unit_of_work() as other:
            support = Principal(Role.SUPPORT)
            services = self.components.services
            first = receipt_pdf(
                other, services, BorbReceiptRenderer(), support, self.receipt_id, text.language
            )
        self.winner = first.sha256
        return content


def test_two_first_downloads_at_once_keep_one_rendering(
    components: Components, world: dict[str, Any]
) -> None:
    receipt_id = world["last_year"]["1A"]["id"]  # downloaded by no other test
    raced = RacedRenderer(components, receipt_id)
    with components.unit_of_work() as uow:
        pdf = receipt_pdf(uow, components.services, raced, Principal(Role.SUPPORT), receipt_id, "fr")
    assert raced.winner is not None
    assert pdf.sha256 == raced.winner
    assert pdf.path.read_bytes().startswith(b"%PDF")
    assert kept(components, receipt_id) == 1


def test_support_writes_any_tenant_s_receipt_pdf_from_the_command_line(
    components: Components, world: dict[str, Any], tmp_path: Path
) -> None:
    env = {
        "PRORATA_DATA_DIR": str(components.settings.data_dir),
        "PRORATA_DATABASE_URL": components.settings.database_url,
    }
    receipt = world["last_year"]["1B"]  # downloaded by no other test
    written = tmp_path / "receipt.pdf"
    runner = CliRunner()
    done = runner.invoke(
        main, ["receipts", "pdf", receipt["id"], "-o", str(written), "--lang", "en"], env=env
    )
    assert done.exit_code == 0, done.output
    text = pdf_text(written.read_bytes())
    assert "Receipt" in text
    assert receipt["number"] in text
    assert kept(components, receipt["id"]) == 1  # the kept rendering, as the API serves it
    missing = runner.invoke(
        main, ["receipts", "pdf", "no-such-receipt", "-o", str(tmp_path / "x.pdf")], env=env
    )
    assert missing.exit_code == 2
    assert "no receipt" in missing.output
    assert not (tmp_path / "x.pdf").exists()
