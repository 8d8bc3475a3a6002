"""Who is told what of a receipt's move, and under which key."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from prorata.domain.community.model import Occupancy, OccupancyRole, Resident
from prorata.domain.notifications.model import NotificationKind
from prorata.domain.notifications.rules import idempotency_key, kind_for, recipients
from prorata.domain.receipts.lifecycle import EventType

UNIT = "unit-1A"
OWNER, OCCUPANT = OccupancyRole.OWNER, OccupancyRole.OCCUPANT
DAY = date(2026, 4, 2)


def holder(
    id: str, role: OccupancyRole, since: str | None = None, until: str | None = None, **kw: str
) -> Resident:
    held = Occupancy(
        UNIT, role, date.fromisoformat(since) if since else None, date.fromisoformat(until) if until else None
    )
    return Resident(id, "t", id.title(), external_id=kw.get("external_id", f"ext-{id}"), occupancies=(held,))


@pytest.mark.parametrize(
    ("event", "corrects", "kind"),
    [
        (EventType.ISSUED, False, NotificationKind.ISSUED),
        (EventType.ISSUED, True, NotificationKind.CORRECTED),
        (EventType.PRESENTED, False, NotificationKind.SENT_FOR_COLLECTION),
        (EventType.REPRESENTED, False, NotificationKind.SENT_FOR_COLLECTION),
        (EventType.PAID, False, NotificationKind.PAID),
        (EventType.RETURNED, False, NotificationKind.RETURNED),
        (EventType.SUPERSEDED, False, None),
        (EventType.CANCELLED, False, None),
    ],
)
def test_each_move_is_told_as_the_step_it_is(
    event: EventType, corrects: bool, kind: NotificationKind | None
) -> None:
    assert kind_for(event, corrects) is kind


def test_a_receipt_replaced_by_a_correction_is_never_told_as_issued_twice() -> None:
    told = [
        kind_for(e, corrects)
        for e, corrects in (
            (EventType.ISSUED, False),
            (EventType.SUPERSEDED, False),
            (EventType.ISSUED, True),
        )
    ]
    assert told.count(NotificationKind.ISSUED) == 1
    assert told.count(NotificationKind.CORRECTED) == 1


def test_an_issue_reaches_owners_and_occupants_holding_the_unit() -> None:
    owner, tenant = holder("ana", OWNER, "2020-01-01"), holder("bea", OCCUPANT, "2025-09-01")
    chosen = recipients(NotificationKind.ISSUED, [tenant, owner], UNIT, DAY, owner)
    assert [r.id for r in chosen] == ["ana", "bea"]


@pytest.mark.parametrize(
    "kind", [NotificationKind.SENT_FOR_COLLECTION, NotificationKind.PAID, NotificationKind.RETURNED]
)
def test_money_moves_reach_the_owners_never_an_occupant(kind: NotificationKind) -> None:
    owner, tenant = holder("ana", OWNER), holder("bea", OCCUPANT)
    co_owner = holder("cris", OWNER)
    assert [r.id for r in recipients(kind, [owner, tenant, co_owner], UNIT, DAY, owner)] == ["ana", "cris"]


def test_the_payer_who_sold_since_is_still_told_and_the_buyer_too() -> None:
    seller = holder("ana", OWNER, "2010-01-01", "2026-03-31")
    buyer = holder("dani", OWNER, "2026-04-01")
    chosen = recipients(NotificationKind.SENT_FOR_COLLECTION, [seller, buyer], UNIT, DAY, seller)
    assert [r.id for r in chosen] == ["ana", "dani"]


def test_someone_who_left_or_has_no_push_address_is_not_told() -> None:
    gone = holder("ana", OCCUPANT, "2020-01-01", "2025-12-31")
    silent = holder("bea", OWNER, external_id="")
    coming = holder("cris", OCCUPANT, "2026-05-01")
    assert recipients(NotificationKind.ISSUED, [gone, silent, coming], UNIT, DAY, None) == []


def test_the_key_is_a_uuid_of_the_triple_the_same_in_every_process() -> None:
    key = idempotency_key("r1", "e1", "res1")
    assert uuid.UUID(key).version == 5
    assert key == idempotency_key("r1", "e1", "res1")
    others = {
        idempotency_key("r2", "e1", "res1"),
        idempotency_key("r1", "e2", "res1"),
        idempotency_key("r1", "e1", "res2"),
    }
    assert key not in others
    assert len(others) == 3
