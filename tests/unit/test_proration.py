"""Every rule of the settlement contract, on cases worked out by hand."""

from typing import Any

from tests.contract import codes, errors, line_amounts, read, settle, totals, unit


def test_splits_heating_70_30_and_shares_an_equal_item_german_style() -> None:
    result = settle(
        {
            "consumption_share": "0.70",
            "fixed_key": "area",
            "costs": [
                {"concept": "Heizung", "amount": "1000.00"},
                {"concept": "Wartung", "amount": "90.00", "consumption_share": "0", "fixed_key": "equal"},
            ],
            "units": [
                unit("A", area="60", readings=[read("H-1", "0", "300")]),
                unit("B", area="40", readings=[read("H-2", "0", "100")]),
            ],
        }
    )
    assert line_amounts(result, "Heizung", "consumption") == ["525.00", "175.00"]
    assert line_amounts(result, "Heizung", "fixed") == ["180.00", "120.00"]
    assert line_amounts(result, "Wartung", "fixed") == ["45.00", "45.00"]
    assert totals(result) == {"A": "750.00", "B": "340.00"}
    assert result["total"] == "1090.00"


def test_adds_up_several_allocators_per_flat() -> None:
    # haus-top.de: 1000 EUR by 400 allocator units, flat A 30+70+200, flat B 10+90.
    result = settle(
        {
            "costs": [{"concept": "Heizkosten", "amount": "1000.00"}],
            "units": [
                unit(
                    "A",
                    readings=[
                        {"meter": m, "consumption": c} for m, c in (("1", "30"), ("2", "70"), ("3", "200"))
                    ],
                ),
                unit("B", readings=[{"meter": m, "consumption": c} for m, c in (("4", "10"), ("5", "90"))]),
            ],
        }
    )
    assert totals(result) == {"A": "750.00", "B": "250.00"}
    assert [r["consumption"] for r in result["receipts"]] == ["300", "100"]


def test_weights_readings_by_their_factor() -> None:
    result = settle(
        {
            "costs": [{"concept": "Heat", "amount": "100.00"}],
            "units": [
                unit("A", readings=[read("R1", "10", "20", factor="1.5"), read("R2", "0", "5", factor="2")]),
                unit("B", readings=[read("R3", "0", "25")]),
            ],
        }
    )
    assert [r["consumption"] for r in result["receipts"]] == ["25", "25"]
    assert totals(result) == {"A": "50.00", "B": "50.00"}


def test_a_meter_that_wrapped_counts_past_its_rollover() -> None:
    result = settle(
        {
            "costs": [{"concept": "Water", "amount": "10.00"}],
            "units": [
                unit("A", readings=[read("W1", "99990", "15", rollover="100000")]),
                unit("B", readings=[read("W2", "0", "75")]),
            ],
        }
    )
    assert [r["consumption"] for r in result["receipts"]] == ["25", "75"]
    assert result["receipts"][0]["meters"][0]["rolled_over"] is True


def test_a_reading_below_the_previous_one_without_rollover_is_negative_consumption() -> None:
    found = errors(
        {
            "costs": [{"concept": "Water", "amount": "10.00"}],
            "units": [
                unit("A", readings=[read("W1", "10", "5")]),
                unit("B", readings=[read("W2", "0", "5")]),
            ],
        }
    )
    assert found == [
        {
            "code": "negative_consumption",
            "message": "unit A, meter W1: current 5 is below previous 10 and the meter has no rollover",
            "unit": "A",
            "meter": "W1",
        }
    ]


def test_the_same_meter_twice_in_a_unit_is_a_duplicate_reading() -> None:
    found = errors(
        {
            "costs": [{"concept": "Water", "amount": "10.00"}],
            "units": [unit("A", readings=[read("W1", "0", "5"), read("W1", "5", "7")])],
        }
    )
    assert [(e["code"], e["unit"], e["meter"]) for e in found] == [("duplicate_reading", "A", "W1")]


def test_a_metered_unit_without_reading_is_missing_when_estimation_is_off() -> None:
    found = errors(
        {
            "costs": [{"concept": "Gas", "amount": "10.00", "consumption_share": "0.5"}],
            "units": [unit("A", readings=[read("G1", "0", "5")]), unit("B")],
        }
    )
    assert [(e["code"], e["unit"]) for e in found] == [("missing_reading", "B")]


def test_readings_are_needed_only_when_some_line_has_a_consumption_part() -> None:
    result = settle(
        {
            "consumption_share": "0",
            "costs": [{"concept": "Insurance", "amount": "100.00"}],
            "units": [unit("A", coefficient="60"), unit("B", coefficient="40")],
        }
    )
    assert totals(result) == {"A": "60.00", "B": "40.00"}
    assert [r["consumption"] for r in result["receipts"]] == [None, None]
    assert [p["part"] for p in result["pools"]] == ["fixed"]


def test_an_unmetered_unit_pays_only_the_fixed_part() -> None:
    result = settle(
        {
            "consumption_share": "0.5",
            "costs": [{"concept": "Heat", "amount": "100.00"}],
            "units": [
                unit("1A", coefficient="50", readings=[read("H1", "0", "10")]),
                unit("Local 1", coefficient="50", metered=False),
            ],
        }
    )
    assert line_amounts(result, "Heat", "consumption") == ["50.00", "0.00"]
    assert totals(result) == {"1A": "75.00", "Local 1": "25.00"}


def test_estimates_a_unit_without_reading_by_the_area_average_rounded_half_up() -> None:
    result = settle(
        {
            "estimation": {"method": "area_average", "max_area_share": "0.5"},
            "costs": [{"concept": "Heat", "amount": "30.01"}],
            "units": [
                unit("M", area="2", readings=[read("H1", "0", "2.001")]),
                unit("E", area="1"),
            ],
        }
    )
    estimated = result["receipts"][1]
    # 2.001 / 2 m² = 1.0005 per m², × 1 m² = 1.0005 -> 1.001
    assert (estimated["consumption"], estimated["estimated"]) == ("1.001", True)
    assert result["receipts"][0]["estimated"] is False
    assert totals(result) == {"M": "20.00", "E": "10.01"}  # 2000.333 and 1000.666 cents


def test_estimation_stops_at_the_cap_on_the_estimated_area() -> None:
    request: dict[str, Any] = {
        "estimation": {"method": "area_average", "max_area_share": "0.25"},
        "costs": [{"concept": "Heat", "amount": "100.00"}],
        "units": [
            unit("M1", area="50", readings=[read("H1", "0", "100")]),
            unit("M2", area="100", readings=[read("H2", "0", "250")]),
            unit("E", area="60"),
        ],
    }
    assert codes(request) == ["estimation_cap_exceeded"]
    request["units"][2]["area"] = "50"  # 50 of 200 m² is exactly 25 %: allowed
    result = settle(request)
    assert result["receipts"][2]["consumption"] == "116.667"


def test_prices_a_tariff_by_blocks_and_shares_the_bills_difference_by_the_fixed_key() -> None:
    tariff = {
        "blocks": [
            {"up_to": "10", "price": "0.4520"},
            {"up_to": "20", "price": "0.9010"},
            {"up_to": None, "price": "1.6120"},
        ]
    }
    request: dict[str, Any] = {
        "fixed_key": "area",
        "costs": [{"concept": "Agua", "amount": "180.75", "tariff": tariff}],
        "units": [
            unit("U1", area="60", readings=[read("A1", "100", "108")]),
            unit("U2", area="80", readings=[read("A2", "0", "15")]),
            unit("U3", area="100", readings=[read("A3", "0", "32")]),
        ],
    }
    result = settle(request)
    assert line_amounts(result, "Agua", "tariff") == ["3.62", "9.03", "32.87"]
    assert line_amounts(result, "Agua", "difference") == ["33.81", "45.08", "56.34"]
    assert totals(result) == {"U1": "37.43", "U2": "54.11", "U3": "89.21"}
    assert result["total"] == "180.75"

    request["costs"][0]["amount"] = "40.00"  # the tariff bills more than the supplier: a negative difference
    result = settle(request)
    assert line_amounts(result, "Agua", "difference") == ["-1.38", "-1.84", "-2.30"]
    assert result["total"] == "40.00"

    del request["costs"][0]["amount"]  # without the bill, the tariff amounts are the total
    result = settle(request)
    assert [p["part"] for p in result["pools"]] == ["tariff"]
    assert result["total"] == "45.52"


def test_nothing_consumed_shares_the_consumption_part_by_the_fixed_key() -> None:
    result = settle(
        {
            "costs": [{"concept": "Heat", "amount": "100.00", "fixed_key": "coefficient"}],
            "units": [
                unit("A", coefficient="30", readings=[read("H1", "5", "5")]),
                unit("B", coefficient="70", readings=[read("H2", "9", "9")]),
            ],
        }
    )
    assert totals(result) == {"A": "30.00", "B": "70.00"}
    assert result["pools"][0]["basis"] == "coefficient"
    assert result["pools"][0]["fallback"] is True


def test_a_pool_with_no_weight_anywhere_is_an_error() -> None:
    found = errors(
        {
            "fixed_key": "area",
            "consumption_share": "0",
            "costs": [{"concept": "Garden", "amount": "100.00"}],
            "units": [unit("A", area="0"), unit("B", area="0")],
        }
    )
    assert [e["code"] for e in found] == ["zero_total_weight"]
    assert "Garden" in found[0]["message"]


def test_a_zero_pool_is_skipped() -> None:
    result = settle(
        {
            "costs": [
                {"concept": "Heat", "amount": "0.00"},
                {"concept": "Fee", "amount": "10.00", "consumption_share": "0"},
            ],
            "units": [unit("A", readings=[read("H1", "0", "1")]), unit("B", readings=[read("H2", "0", "1")])],
        }
    )
    assert [(p["concept"], p["part"]) for p in result["pools"]] == [("Fee", "fixed")]


def test_a_credit_note_is_shared_as_a_negative_pool() -> None:
    result = settle(
        {
            "consumption_share": "0",
            "fixed_key": "equal",
            "costs": [{"concept": "Refund", "amount": "-1.00"}],
            "units": [unit("A"), unit("B"), unit("C")],
        }
    )
    assert totals(result) == {"A": "-0.34", "B": "-0.33", "C": "-0.33"}


def test_ties_give_the_cent_to_the_unit_listed_first() -> None:
    request: dict[str, Any] = {
        "fixed_key": "equal",
        "consumption_share": "0",
        "costs": [{"concept": "Fee", "amount": "0.02"}],
        "units": [unit("A"), unit("B"), unit("C")],
    }
    assert totals(settle(request)) == {"A": "0.01", "B": "0.01", "C": "0.00"}
    request["units"].reverse()
    assert totals(settle(request)) == {"C": "0.01", "B": "0.01", "A": "0.00"}


def test_the_consumption_part_is_rounded_half_up_to_the_cent_before_sharing() -> None:
    result = settle(
        {
            "consumption_share": "0.70",
            "costs": [{"concept": "Gas", "amount": "7420.18"}],
            "units": [unit("A", readings=[read("G", "0", "1")])],
        }
    )
    assert [p["amount"] for p in result["pools"]] == ["5194.13", "2226.05"]


def test_reports_every_problem_of_a_request_together() -> None:
    found = codes(
        {
            "costs": [
                {"concept": "Heat", "amount": "100.00"},
                {"concept": "Garden", "amount": "10.00", "consumption_share": "0", "fixed_key": "area"},
            ],
            "units": [
                unit("A", area="0", readings=[read("H1", "10", "5")]),
                unit("B", area="0", readings=[read("H2", "0", "5"), read("H2", "5", "6")]),
                unit("C", area="0"),
            ],
        }
    )
    assert sorted(found) == [
        "duplicate_reading",
        "missing_reading",
        "negative_consumption",
        "zero_total_weight",
    ]


def test_receipts_show_every_calculation() -> None:
    result = settle(
        {
            "costs": [{"concept": "Heat", "amount": "10.00"}],
            "units": [
                unit("A", readings=[read("H1", "1.5", "4", factor="2")]),
                unit("B", readings=[read("H2", "0", "5")]),
            ],
        }
    )
    receipt = result["receipts"][0]
    assert receipt["meters"] == [
        {
            "meter": "H1",
            "previous": "1.5",
            "current": "4",
            "factor": "2",
            "rolled_over": False,
            "consumption": "5",
        }
    ]
    assert receipt["lines"] == [
        {
            "concept": "Heat",
            "part": "consumption",
            "basis": "consumption",
            "weight": "5",
            "amount": "5.00",
            "exact": "5",
        }
    ]
    assert result["pools"] == [
        {
            "concept": "Heat",
            "part": "consumption",
            "amount": "10.00",
            "basis": "consumption",
            "total_weight": "10",
        }
    ]
