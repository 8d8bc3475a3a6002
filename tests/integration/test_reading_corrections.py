"""A meter's history over REST: a reading is corrected with a reason and keeps what it said before; a
published settlement that counted it is flagged; a reading below the meter's last one is refused unless
the meter rolls over or was replaced; a meter with readings is not deleted."""

from __future__ import annotations

from typing import Any

from tests.api_client import Caller


def unit_with_meter(
    manager: Caller, community: dict[str, Any], code: str = "1A", **meter: str
) -> tuple[str, str]:
    unit = manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "1"})
    body = {"unit_id": unit["id"], "serial": f"HC-{code}", "service": "heating", **meter}
    return unit["id"], manager.created("/v1/meters", body)["id"]


def read(manager: Caller, meter_id: str, *readings: tuple[str, str]) -> list[dict[str, Any]]:
    batch = {"readings": [{"meter_id": meter_id, "date": d, "value": v} for d, v in readings]}
    created: list[dict[str, Any]] = manager.created("/v1/readings", batch)["created"]
    return created


def heating(manager: Caller, community: dict[str, Any], start: str, end: str) -> str:
    terms = {
        "community_id": community["id"],
        "service": "heating",
        "period": {"from": start, "to": end},
        "costs": [{"concept": "Gas", "amount": "100.00"}],
    }
    settlement_id: str = manager.created("/v1/settlements", terms)["id"]
    return settlement_id


def test_a_correction_keeps_the_superseded_value_and_flags_the_published_settlement_that_counted_it(
    manager: Caller, community: dict[str, Any]
) -> None:
    _, meter = unit_with_meter(manager, community)
    _, other = unit_with_meter(manager, community, "1B")
    opening, closing = read(manager, meter, ("2026-01-01", "100"), ("2026-03-31", "160"))
    read(manager, other, ("2026-01-01", "0"), ("2026-03-31", "40"))
    counted = heating(manager, community, "2026-01-01", "2026-03-31")
    published = manager.post(f"/v1/settlements/{counted}/publish").get_json()
    before = sorted(r["total"] for r in published["receipts"])
    earlier = heating(manager, community, "2025-01-01", "2025-12-31")
    draft = heating(manager, community, "2026-01-01", "2026-03-31")

    url = f"/v1/readings/{closing['id']}"
    corrected = manager.call("PUT", url, json={"value": "150", "reason": "a digit misread"})
    assert corrected.status_code == 200, corrected.get_json()
    shown = manager.get(url).get_json()
    assert (shown["value"], shown["date"], shown["source"]) == ("150", "2026-03-31", "api")
    [trail] = shown["corrections"]
    assert (trail["value"], trail["reason"], trail["by"]) == ("160", "a digit misread", "manager")
    assert trail["corrected_at"]
    again = manager.call("PUT", url, json={"value": "155", "reason": "read again on site"})
    assert [c["value"] for c in again.get_json()["corrections"]] == ["160", "150"]

    assert manager.get(f"/v1/settlements/{counted}").get_json()["corrections_pending"] is True
    assert manager.get(f"/v1/settlements/{earlier}").get_json()["corrections_pending"] is False
    assert manager.get(f"/v1/settlements/{draft}").get_json()["corrections_pending"] is False
    receipts = manager.get(f"/v1/receipts?settlement_id={counted}").get_json()
    assert sorted(r["total"] for r in receipts) == before  # published receipts stand as issued
    assert manager.get(f"/v1/readings/{opening['id']}").get_json()["corrections"] == []


def test_a_correction_needs_a_reason_and_names_only_value_and_reason(
    manager: Caller, community: dict[str, Any]
) -> None:
    _, meter = unit_with_meter(manager, community)
    [reading] = read(manager, meter, ("2026-01-01", "100"))
    url = f"/v1/readings/{reading['id']}"
    for body, field in (
        ({"value": "101"}, "reason"),
        ({"value": "101", "reason": ""}, "reason"),
        ({"value": "101", "reason": "typo", "date": "2026-01-02"}, "date"),
        ({"value": 101, "reason": "typo"}, "value"),
    ):
        refused = manager.call("PUT", url, json=body)
        assert refused.status_code == 422, body
        assert [e["field"] for e in refused.get_json()["errors"]] == [field], refused.get_json()
    assert manager.get(url).get_json()["value"] == "100"
    assert manager.call("PUT", "/v1/readings/nope", json={"value": "1", "reason": "x"}).status_code == 404
    etag = manager.get(url).headers["ETag"]
    body = {"value": "101", "reason": "typo"}
    assert manager.call("PUT", url, json=body, headers={"If-Match": '"stale"'}).status_code == 412
    assert manager.call("PUT", url, json=body, headers={"If-Match": etag}).status_code == 200


def test_a_reading_below_the_meters_previous_one_is_refused_unless_the_meter_rolls_over(
    manager: Caller, community: dict[str, Any]
) -> None:
    _, meter = unit_with_meter(manager, community)
    [last] = read(manager, meter, ("2026-01-01", "951.7"))
    falling = manager.post(
        "/v1/readings", {"readings": [{"meter_id": meter, "date": "2026-06-30", "value": "5"}]}
    )
    assert falling.status_code == 422
    [error] = falling.get_json()["errors"]
    assert (error["code"], error["field"], error["meter"]) == (
        "negative_consumption",
        "readings[0].value",
        "HC-1A",
    )
    above_next = {"readings": [{"meter_id": meter, "date": "2025-12-01", "value": "1000"}]}
    assert manager.post("/v1/readings", above_next).get_json()["errors"][0]["code"] == "negative_consumption"
    in_one_batch = [("2026-02-01", "960"), ("2026-03-01", "955")]
    refused = manager.post(
        "/v1/readings", {"readings": [{"meter_id": meter, "date": d, "value": v} for d, v in in_one_batch]}
    )
    assert [e["field"] for e in refused.get_json()["errors"]] == ["readings[1].value"]
    correction = manager.call("PUT", f"/v1/readings/{last['id']}", json={"value": "1000", "reason": "x"})
    assert correction.status_code == 200  # nothing after it yet
    assert [r["value"] for r in manager.get(f"/v1/readings?meter_id={meter}").get_json()] == ["1000"]

    _, wrapping = unit_with_meter(manager, community, "1B", rollover="1000")
    read(manager, wrapping, ("2026-01-01", "951.7"), ("2026-06-30", "5"))


def test_after_a_meter_replacement_the_new_meters_low_reading_counts_with_the_old_meters_last(
    manager: Caller, community: dict[str, Any]
) -> None:
    _, meter = unit_with_meter(manager, community)
    _, other = unit_with_meter(manager, community, "1B")
    read(manager, meter, ("2026-01-01", "951.7"))
    read(manager, other, ("2026-01-01", "0"), ("2026-03-31", "40"))
    url = f"/v1/meters/{meter}/replacement"
    body = {"date": "2026-02-15", "final_reading": "1000.2", "new_serial": "HC-9", "initial_reading": "0.5"}
    below = manager.post(url, {**body, "final_reading": "900"})
    assert below.status_code == 422
    assert below.get_json()["errors"][0]["code"] == "negative_consumption"
    replaced = manager.post(url, body)
    assert replaced.status_code == 201, replaced.get_json()
    answer = replaced.get_json()
    new = answer["meter"]
    assert (new["serial"], new["service"], new["unit_id"]) == (
        "HC-9",
        "heating",
        answer["replaced"]["unit_id"],
    )
    assert (answer["replaced"]["replaced_on"], answer["replaced"]["replaced_by"]) == ("2026-02-15", new["id"])
    assert manager.post(url, {**body, "new_serial": "HC-10"}).status_code == 409

    assert read(manager, new["id"], ("2026-03-31", "12"))[0]["value"] == "12"
    # The old meter's id still reaches its successor for readings after the replacement.
    late = manager.post(
        "/v1/readings", {"readings": [{"meter_id": meter, "date": "2026-03-31", "value": "12"}]}
    )
    assert late.get_json() == {"created": [], "unchanged": 1}
    settlement = heating(manager, community, "2026-01-01", "2026-03-31")
    preview = manager.post(f"/v1/settlements/{settlement}/preview").get_json()
    receipts = {r["unit"]: (r["consumption"], r["total"]) for r in preview["receipts"]}
    assert receipts == {"1A": ("60", "60.00"), "1B": ("40", "40.00")}


def test_a_meter_with_readings_is_not_deleted_and_one_without_is(
    manager: Caller, community: dict[str, Any]
) -> None:
    _, meter = unit_with_meter(manager, community)
    read(manager, meter, ("2026-01-01", "1"))
    refused = manager.delete(f"/v1/meters/{meter}")
    assert refused.status_code == 409
    assert refused.get_json()["errors"][0]["code"] == "conflict"
    assert len(manager.get(f"/v1/readings?meter_id={meter}").get_json()) == 1
    _, empty = unit_with_meter(manager, community, "1B")
    assert manager.delete(f"/v1/meters/{empty}").status_code == 204
