"""The contract's JSON out, written a few thousand receipts at a time, column by column: the text is the
one `json.dumps` writes of the result's object, and the object says what each receipt's fields say."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from prorata.application.contract_request import parse_request
from prorata.application.contract_result import result_json, result_json_bytes
from prorata.domain.money import plain
from prorata.domain.settlement.engine import prorate
from prorata.domain.settlement.result import MeterColumns, ReceiptColumns, SettlementResult


def settlement(units: int) -> SettlementResult:
    """Meters read, unread and estimated, unmetered units, two meters with factors and a rollover, a
    tariff whose bill differs from its prices (a negative difference), non-ASCII concepts and codes."""
    made: list[dict[str, Any]] = []
    for i in range(units):
        unit: dict[str, Any] = {
            "unit": f"Piso {i} «ñ»",
            "coefficient": f"{1 + i % 7}.50",
            "area": str(60 + i % 3),
        }
        if i % 5 == 1:
            unit["metered"] = False
        elif i % 5 == 2:
            unit["readings"] = [
                {"meter": f"A{i}", "previous": "99990", "current": "10.000", "rollover": "100000"},
                {"meter": f'B"{i}', "previous": "0", "current": "1.5", "factor": "1.250"},
            ]
        elif i % 5 != 3:  # 3: unread, estimated
            unit["readings"] = [{"previous": "100", "current": f"{100 + i % 40}.{i % 1000:03d}"}]
        made.append(unit)
    return prorate(
        parse_request(
            {
                "service": "heating",
                "period": {"from": "2026-01-01", "to": "2026-06-30"},
                "estimation": {"method": "area_average", "max_area_share": "0.5"},
                "consumption_share": "0.7",
                "costs": [
                    {"concept": 'Gasóleo \\ "A"', "amount": "12345.67"},
                    {
                        "concept": "Agua",
                        "amount": "10.00",
                        "tariff": {"blocks": [{"up_to": None, "price": "0.9"}]},
                    },
                ],
                "units": made,
            }
        )
    )


@pytest.mark.parametrize("units", [1, 7, 4_500])  # 4,500: in three pieces
def test_the_text_is_what_json_dumps_writes_indented_and_compact(units: int) -> None:
    result = settlement(units)
    body = result_json(result)
    indented = b"".join(result_json_bytes(result, indent=True))
    assert indented == json.dumps(body, ensure_ascii=False, indent=2).encode()
    compact = b"".join(result_json_bytes(result))
    assert compact == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def test_each_receipt_says_what_its_fields_say() -> None:
    result = settlement(60)
    assert any(
        line.part.value == "difference" and line.amount < 0 for r in result.receipts for line in r.lines
    )

    def figure(value: Decimal | None) -> str | None:
        return None if value is None else plain(value)

    assert result_json(result)["receipts"] == [
        {
            "unit": r.unit,
            "total": f"{r.total:.2f}",
            "consumption": figure(r.consumption),
            "estimated": r.estimated,
            "lines": [
                {
                    "concept": line.concept,
                    "part": line.part.value,
                    "basis": line.basis,
                    "weight": plain(line.weight),
                    "amount": f"{line.amount:.2f}",
                    "exact": plain(line.exact),
                }
                for line in r.lines
            ],
            "meters": [
                {
                    "meter": m.meter,
                    "previous": figure(m.previous),
                    "current": figure(m.current),
                    "factor": plain(m.factor),
                    "rolled_over": m.rolled_over,
                    "consumption": plain(m.consumption),
                }
                for m in r.meters
            ],
        }
        for r in result.receipts
    ]
    assert sum(Decimal(r["total"]) for r in result_json(result)["receipts"]) == result.total


def test_a_result_without_receipts_is_still_one_json_document() -> None:
    nothing = ReceiptColumns([], [], [], [], (), MeterColumns.none(0))
    empty = SettlementResult(currency="EUR", total=Decimal("0.00"), pools=(), columns=nothing)
    for indent in (True, False):
        text = b"".join(result_json_bytes(empty, indent=indent))
        assert json.loads(text) == result_json(empty)
        assert json.loads(text)["receipts"] == []


def test_strings_that_need_escapes_or_look_like_the_writers_own_marks_are_written_as_json_writes_them() -> (
    None
):
    """The receipts' text is cut from a template at stand-in characters: a concept holding those very
    characters (or `%`, quotes, control characters) and codes and serials that need escapes come out as
    `json.dumps` writes them, for every mix of meters a unit can have, across the pieces it is written in."""
    marks = "".join(map(chr, range(0xE000, 0xE006)))
    made: list[dict[str, Any]] = []
    for i in range(2_100):  # past one piece of 2,000 receipts
        unit: dict[str, Any] = {"unit": f'C"{i}\\\t\x01{marks[:2]}', "coefficient": "1", "area": "50"}
        meters = i % 4  # none (estimated), one, two, three
        unit["readings"] = [
            {"meter": None if k == 1 else f"M\n{i}-{k}", "previous": "1.50", "current": f"{2 + k}.000"}
            for k in range(meters)
        ]
        made.append(unit if meters else unit | {"readings": []})
    result = prorate(
        parse_request(
            {
                "estimation": {"method": "area_average", "max_area_share": "0.5"},
                "costs": [
                    {"concept": f'{marks} 100% %s "x" \x02', "amount": "-77.77"},
                    {"concept": marks[3:], "amount": "12.34", "consumption_share": "0", "fixed_key": "equal"},
                ],
                "units": made,
            }
        )
    )
    body = result_json(result)
    assert (
        b"".join(result_json_bytes(result, indent=True))
        == json.dumps(body, ensure_ascii=False, indent=2).encode()
    )
    compact = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert b"".join(result_json_bytes(result)) == compact
