"""Who owned a unit when, and who a file's owner column names: the pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from prorata.domain.community.model import Occupancy, OccupancyRole, Resident
from prorata.domain.community.ownership import end_ownerships, hand_over
from prorata.domain.community.people import find_resident, name_key, normalize_tax_id

OWNER, OCCUPANT = OccupancyRole.OWNER, OccupancyRole.OCCUPANT
FLAT, GARAGE = "flat", "garage"


def person(id: str, *held: Occupancy, name: str | None = None, **fields: object) -> Resident:
    return Resident(id, "t", name or id.title(), occupancies=held, **fields)  # type: ignore[arg-type]


def owns(unit: str, since: str | None, until: str | None = None) -> Occupancy:
    return Occupancy(unit, OWNER, date.fromisoformat(since) if since else None, _day(until))


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def spans(residents: list[Resident], unit: str = FLAT) -> dict[str, list[tuple[str | None, str | None]]]:
    return {
        r.id: [
            (str(o.since) if o.since else None, str(o.until) if o.until else None)
            for o in r.occupancies
            if o.unit_id == unit and o.role is OWNER
        ]
        for r in residents
    }


def test_a_new_owner_ends_the_previous_ownership_the_day_before_hers_starts() -> None:
    rosa = person("rosa", owns(FLAT, "2026-01-01"), owns(GARAGE, "2026-01-01"))
    juan = person("juan")
    after = hand_over([rosa], FLAT, juan, date(2026, 4, 1))
    assert spans(after) == {"rosa": [("2026-01-01", "2026-03-31")], "juan": [("2026-04-01", None)]}
    assert spans(after, GARAGE)["rosa"] == [("2026-01-01", None)]  # the garage stays hers


def test_an_owner_since_always_is_ended_too() -> None:
    after = hand_over([person("rosa", owns(FLAT, None))], FLAT, person("juan"), date(2026, 4, 1))
    assert spans(after) == {"rosa": [(None, "2026-03-31")], "juan": [("2026-04-01", None)]}


def test_the_same_owner_named_again_changes_nothing() -> None:
    rosa = person("rosa", owns(FLAT, "2026-01-01"))
    assert hand_over([rosa], FLAT, rosa, date(2026, 4, 1)) == []
    assert hand_over([rosa], FLAT, rosa, date(2026, 1, 1)) == []


def test_an_occupant_keeps_living_there_when_the_flat_is_sold() -> None:
    tenant = person("lola", Occupancy(FLAT, OCCUPANT, date(2025, 1, 1)))
    rosa = person("rosa", owns(FLAT, "2025-01-01"))
    after = hand_over([tenant, rosa], FLAT, person("juan"), date(2026, 4, 1))
    assert [r.id for r in after] == ["rosa", "juan"]


def test_a_file_for_the_same_start_naming_someone_else_corrects_who_owned_it() -> None:
    rosa = person("rosa", owns(FLAT, "2026-04-01"), owns(GARAGE, "2026-04-01"))
    after = hand_over([rosa], FLAT, person("juan"), date(2026, 4, 1))
    assert spans(after) == {"rosa": [], "juan": [("2026-04-01", None)]}
    assert spans(after, GARAGE)["rosa"] == [("2026-04-01", None)]


def test_an_older_file_processed_late_fills_the_gap_before_the_later_owner() -> None:
    ana = person("ana", owns(FLAT, "2025-01-01", "2026-06-30"))
    juan = person("juan", owns(FLAT, "2026-07-01"))
    after = hand_over([ana, juan], FLAT, person("rosa"), date(2026, 1, 1))
    assert spans(after) == {"ana": [("2025-01-01", "2025-12-31")], "rosa": [("2026-01-01", "2026-06-30")]}


def test_an_owner_named_earlier_than_her_ownership_starts_owns_it_from_then() -> None:
    rosa = person("rosa", owns(FLAT, "2026-07-01"))
    after = hand_over([rosa], FLAT, rosa, date(2026, 1, 1))
    assert spans(after) == {"rosa": [("2026-01-01", None)]}


def test_an_owner_who_buys_back_her_flat_holds_it_twice() -> None:
    rosa = person("rosa", owns(FLAT, "2025-01-01", "2025-12-31"))
    juan = person("juan", owns(FLAT, "2026-01-01"))
    after = hand_over([rosa, juan], FLAT, rosa, date(2026, 7, 1))
    assert spans(after) == {
        "juan": [("2026-01-01", "2026-06-30")],
        "rosa": [("2025-01-01", "2025-12-31"), ("2026-07-01", None)],
    }


def test_ending_ownerships_leaves_the_new_owner_and_other_units_alone() -> None:
    rosa = person("rosa", owns(FLAT, "2026-01-01"))
    juan = person("juan", owns(FLAT, "2026-05-01"))
    ended = end_ownerships([rosa, juan], FLAT, date(2026, 5, 1), keep="juan")
    assert spans(ended) == {"rosa": [("2026-01-01", "2026-04-30")]}
    assert end_ownerships([rosa], GARAGE, date(2026, 5, 1)) == []


@pytest.mark.parametrize(
    ("since", "until", "start", "end", "overlaps"),
    [
        ("2026-01-01", "2026-03-31", "2026-01-01", "2026-03-31", True),
        ("2026-01-01", "2026-03-31", "2026-03-31", "2026-06-30", True),  # one day in common
        ("2026-01-01", "2026-03-31", "2026-04-01", "2026-06-30", False),
        ("2026-04-01", None, "2026-01-01", "2026-03-31", False),
        ("2026-04-01", None, "2030-01-01", "2030-03-31", True),
        (None, "2026-03-31", "2020-01-01", "2020-12-31", True),
        (None, None, "2020-01-01", "2020-12-31", True),
    ],
)
def test_an_occupancy_reaches_the_periods_it_overlaps(
    since: str | None, until: str | None, start: str, end: str, overlaps: bool
) -> None:
    held = owns(FLAT, since, until)
    assert held.overlaps(date.fromisoformat(start), date.fromisoformat(end)) is overlaps


def test_an_occupancy_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before"):
        owns(FLAT, "2026-04-01", "2026-03-31")


def test_names_compare_without_case_accents_or_spacing() -> None:
    assert name_key("  Rosa  DÍAZ  Núñez ") == name_key("rosa diaz nuñez") == "rosa diaz nunez"
    assert name_key("Rosa Díaz") != name_key("Rosa Díez")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12345678-z", "12345678Z"), (" x 1234567 l ", "X1234567L"), ("B.12345678", "B12345678")],
)
def test_tax_ids_are_kept_in_one_form(text: str, expected: str) -> None:
    assert normalize_tax_id(text) == expected


@pytest.mark.parametrize("text", ["", " - ", "12345678Z?", "1" * 31])
def test_a_tax_id_that_is_no_tax_id_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a tax id"):
        normalize_tax_id(text)


IBAN_A, IBAN_B = "ES9121000418450200051332", "ES7921000813610123456789"


def test_a_tax_id_names_one_person_whatever_the_name_says() -> None:
    rosa = person("rosa", name="Rosa Díaz", tax_id="12345678Z")
    other = person("other", name="Rosa Díaz", tax_id="87654321X")
    assert find_resident([other, rosa], "R. Díaz", "12345678Z", None, FLAT, set()) == rosa
    assert find_resident([other], "Rosa Díaz", "12345678Z", None, FLAT, {"other"}) is None


def test_without_a_tax_id_a_name_and_an_iban_name_one_person_across_the_tenant() -> None:
    rosa = person("rosa", name="Rosa Díaz", iban=IBAN_A)
    assert find_resident([rosa], "ROSA DIAZ", None, IBAN_A, FLAT, set()) == rosa
    assert find_resident([rosa], "Rosa Díaz", None, IBAN_B, FLAT, set()) is None
    assert find_resident([rosa], "Rosa Díaz", None, None, FLAT, set()) is None  # another community's


def test_a_name_alone_names_a_person_of_the_same_community() -> None:
    rosa = person("rosa", name="Rosa Díaz", iban=IBAN_A)
    assert find_resident([rosa], "rosa  díaz", None, None, GARAGE, {"rosa"}) == rosa
    assert find_resident([rosa], "Rosa Díaz", None, IBAN_B, GARAGE, {"rosa"}) is None


def test_the_owner_of_the_unit_with_a_new_account_is_the_same_person() -> None:
    rosa = person("rosa", owns(FLAT, "2026-01-01"), name="Rosa Díaz", iban=IBAN_A)
    assert find_resident([rosa], "Rosa Díaz", None, IBAN_B, FLAT, {"rosa"}) == rosa


def test_a_resident_without_a_tax_id_is_found_by_name_and_a_different_tax_id_is_someone_else() -> None:
    rosa = person("rosa", name="Rosa Díaz", iban=IBAN_A)
    assert find_resident([rosa], "Rosa Díaz", "12345678Z", IBAN_A, FLAT, set()) == rosa
    known = person("rosa", name="Rosa Díaz", iban=IBAN_A, tax_id="87654321X")
    assert find_resident([known], "Rosa Díaz", "12345678Z", IBAN_A, FLAT, {"rosa"}) is None
