"""A manager downloads a settlement's distribution sheet: a draft's current computation, then what its
published receipts issued — whatever changed in the community since."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests.api_client import Caller, key_for, new_tenant
from tests.distribution_samples import pdf_pages
from tests.integration.test_api_settlement_flow import build_community

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def heating(manager: Caller, community: dict[str, Any]) -> str:
    settlement: dict[str, Any] = manager.created(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "consumption_share": "0.70",
            "costs": [{"concept": "Gas", "amount": "1000.00"}],
        },
    )
    return str(settlement["id"])


def units_of(book: openpyxl.Workbook) -> dict[str, list[Any]]:
    rows = list(book["Distribution"].iter_rows(min_row=3, values_only=True))
    return {str(row[0]): list(row[1:]) for row in rows[:3]}


def test_a_draft_sheet_shows_the_current_computation_and_a_published_one_what_was_issued(
    manager: Caller, community: dict[str, Any]
) -> None:
    units = build_community(manager, community)
    settlement = heating(manager, community)
    draft = manager.get(f"/v1/settlements/{settlement}/distribution.xlsx")
    assert draft.status_code == 200, draft.get_json()
    assert draft.mimetype == XLSX
    assert re.search(r'filename="?distribution-C0012-draft-', draft.headers["Content-Disposition"])
    rows = units_of(openpyxl.load_workbook(io.BytesIO(draft.data)))
    assert {code: row[-1] for code, row in rows.items()} == {"1A": 540, "1B": 385, "Local": 75}
    assert rows["1A"][1:4] == [40, 80, 60]  # coefficient, area, consumption

    assert manager.post(f"/v1/settlements/{settlement}/publish").status_code == 201
    changed = manager.patch(f"/v1/units/{units['1A']}", {"coefficient": "10", "area": "20"})
    assert changed.status_code == 200, changed.get_json()
    issued = manager.get(f"/v1/settlements/{settlement}/distribution.xlsx")
    assert issued.status_code == 200
    assert "filename=distribution-C0012-00001.xlsx" in issued.headers["Content-Disposition"].replace('"', "")
    book = openpyxl.load_workbook(io.BytesIO(issued.data))
    rows = units_of(book)
    assert {code: row[-1] for code, row in rows.items()} == {"1A": 540, "1B": 385, "Local": 75}
    assert rows["1A"][1] == 40  # the coefficient the receipt was shared by, not today's 10
    assert rows["1A"][2] == 20  # the area: no pool went by it, so the unit's record
    sheet = book["Distribution"]
    assert "Settlement 1 (published)" in sheet["A1"].value
    [bill] = [c.row for c in sheet["A"] if c.value == "Bill"]
    assert Decimal(repr(sheet.cell(row=bill, column=9).value)) == 1000


def test_the_pdf_lists_every_unit_the_rates_and_the_check(manager: Caller, community: dict[str, Any]) -> None:
    build_community(manager, community)
    settlement = heating(manager, community)
    assert manager.post(f"/v1/settlements/{settlement}/publish").status_code == 201
    answer = manager.get(f"/v1/settlements/{settlement}/distribution.pdf?lang=es")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert "distribution-C0012-00001.pdf" in answer.headers["Content-Disposition"]
    [page] = pdf_pages(answer.data)
    for code, total in (("1A", "540,00"), ("1B", "385,00"), ("Local", "75,00")):
        assert re.search(rf"^{code}\s.*{total}$", page, re.M), code
    assert "7,000000" in page  # 700.00 of gas by 100 of consumption
    assert "3,000000" in page  # 300.00 by 100 points of coefficient
    assert "los recibos suman la factura, al céntimo" in page
    assert "Liquidación 1 · publicada" in page


def test_another_tenant_finds_no_sheet_and_a_resident_may_not_ask(
    app: Flask, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    build_community(manager, community)
    settlement = heating(manager, community)
    stranger = Caller(app.test_client(), key_for(components, Role.MANAGER, new_tenant(components, "Otra")))
    for suffix in ("xlsx", "pdf"):
        path = f"/v1/settlements/{settlement}/distribution.{suffix}"
        assert stranger.get(path).status_code == 404
        assert stranger.get(path).get_json()["errors"][0]["code"] == "not_found"
    refused = manager.get(f"/v1/settlements/{settlement}/distribution.pdf?lang=de")
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "lang"
    assert manager.get("/v1/settlements/nope/distribution.xlsx").status_code == 404


def test_a_draft_that_cannot_be_computed_yet_says_why(manager: Caller, community: dict[str, Any]) -> None:
    manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    meter_unit = manager.created(
        f"/v1/communities/{community['id']}/units", {"code": "1B", "coefficient": "1"}
    )
    manager.created("/v1/meters", {"unit_id": meter_unit["id"], "serial": "HC-9", "service": "heating"})
    settlement = heating(manager, community)
    answer = manager.get(f"/v1/settlements/{settlement}/distribution.pdf")
    assert answer.status_code == 422
    assert "missing_reading" in {e["code"] for e in answer.get_json()["errors"]}
