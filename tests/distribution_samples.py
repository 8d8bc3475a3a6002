"""Distribution sheets built through the engine, without a database: a community of any size."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from prorata.application.contract_request import parse_request
from prorata.domain.community.model import Community, CommunityUnit, UnitKind
from prorata.domain.settlement.distribution import Distribution, distribution
from prorata.domain.settlement.engine import prorate
from prorata.domain.settlement.request import Service
from prorata.domain.settlement.stored import Settlement, SettlementStatus

PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
TERMS: dict[str, Any] = {
    "service": "heating",
    "period": PERIOD,
    "consumption_share": "0.70",
    "costs": [
        {"concept": "Gasóleo", "amount": "6123.45"},
        {"concept": "Mantenimiento", "amount": "480.00", "consumption_share": "0", "fixed_key": "equal"},
    ],
}


def units(count: int) -> list[dict[str, Any]]:
    """Contract units U0001…: coefficients, areas and one reading each; every 7th unit is premises."""
    made = []
    for index in range(count):
        made.append(
            {
                "unit": f"U{index + 1:04d}",
                "coefficient": f"{1 + index % 5}.25",
                "area": str(60 + index % 40),
                "readings": [{"meter": f"HC-{index}", "previous": "100", "current": str(110 + index % 37)}],
            }
        )
    return made


def sample(
    count: int = 3,
    terms: dict[str, Any] | None = None,
    contract_units: list[dict[str, Any]] | None = None,
    published: bool = False,
    community_name: str = "CP Calle Mayor 12",
) -> Distribution:
    body = {**(terms or TERMS), "units": contract_units if contract_units is not None else units(count)}
    request = parse_request(body)
    result = prorate(request)
    community = Community("c-1", "t-1", "C0012", community_name, "Calle Mayor 12, Madrid", "H12345678")
    records = [
        CommunityUnit(
            f"u-{i}",
            "t-1",
            "c-1",
            u["unit"],
            _number(u.get("coefficient")),
            _number(u.get("area")),
            UnitKind.PREMISES if i % 7 == 6 else UnitKind.DWELLING,
            position=i,
        )
        for i, u in enumerate(body["units"])
    ]
    assert request.period is not None
    settlement = Settlement("s-1", "t-1", "c-1", Service.HEATING, request.period, terms or TERMS)
    if published:
        settlement = settlement.publish(7, datetime(2026, 4, 2, 9, 30, tzinfo=UTC))
    assert settlement.status is (SettlementStatus.PUBLISHED if published else SettlementStatus.DRAFT)
    return distribution(
        settlement, community, result.currency, records, result.pools, result.receipts, result.total
    )


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, as poppler's pdftotext lays it out. Skips the test when pdftotext is not
    installed (poppler-utils) — except under CI, where it fails."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be read")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return text.split("\f")[:-1]  # a form feed ends every page
