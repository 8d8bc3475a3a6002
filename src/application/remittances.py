"""Use cases: remittances — a community's receipts sent to its bank for collection by SEPA direct debit
(one pain.008 file), listed, downloaded and cancelled before their date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from prorata.application.access import fetch, require
from prorata.application.collection_ports import CollectionPorts
from prorata.application.idempotency import Answer, fingerprint, remember, replayed
from prorata.application.receipt_events import _stored as stored_move
from prorata.application.receipt_facts import receipt_facts
from prorata.application.services import Services
from prorata.domain.access.principal import Action, Principal
from prorata.domain.collection.creditor import InvalidCreditorId, normalize_creditor_id
from prorata.domain.collection.remittance import (
    CollectionRefused,
    Creditor,
    Excluded,
    ItemOutcome,
    NothingToCollect,
    Remittance,
    RemittanceItem,
    RemittanceStatus,
    Scheme,
)
from prorata.domain.collection.rules import (
    PRESENTING,
    can_cancel,
    check_collection_date,
    exclusion,
    message_id,
    remittance_information,
    sequence_type,
)
from prorata.domain.collection.sepa_file import PainVersion, file_of
from prorata.domain.community.model import Community
from prorata.domain.ports.repository import Conflict, Page
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.catalogue import catalogue, language_of
from prorata.domain.receipts.facts import ReceiptFacts
from prorata.domain.receipts.lifecycle import EventType, ReceiptEvent, ReceiptStatus
from prorata.domain.receipts.notes import presented_note, withdrawn_note
from prorata.domain.receipts.receipt import IssuedReceipt, Move, move, told

TRIES = 3  # a remittance whose receipts keep changing under it that many times is a conflict
SEQUENCE = "remittances"


@dataclass(frozen=True, slots=True)
class RemittanceRequest:
    """What a manager asks for: a collection date, and the receipts (None: every issued receipt of the
    community)."""

    collection_date: date
    receipt_ids: tuple[str, ...] | None = None
    scheme: Scheme = Scheme.CORE


def create_remittance(
    uow: UnitOfWork,
    services: Services,
    bank: CollectionPorts,
    caller: Principal,
    community_id: str,
    asked: RemittanceRequest,
    idempotency_key: str | None,
    answer: Callable[[Remittance], dict[str, Any]],
) -> Answer:
    """Make the community's remittance: each receipt that can be collected becomes one transaction and
    moves to `in_collection` (presented, or presented again after a return), with its history entry and
    outbox event, in one transaction; the others are listed as excluded, with why. Returns (201,
    `answer` of it). The same request again with its idempotency key returns the first answer.

    CollectionRefused (422) when the community cannot collect (no valid IBAN or creditor identifier) or
    the date is not allowed; NothingToCollect (422) when no receipt can be collected; NotFound for
    another tenant's community; Conflict when its receipts kept changing under this request."""
    require(caller, Action.WRITE)
    assert caller.tenant_id is not None
    request = fingerprint({"remittances": community_id, "asked": asdict(asked)})
    for _ in range(TRIES):
        fetch(uow.communities, caller, community_id, "community")  # another tenant's: 404, key or not
        if idempotency_key is not None:
            earlier = replayed(uow, caller.tenant_id, idempotency_key, request)
            if earlier is not None:
                return earlier
        made = _made(uow, services, bank, caller, community_id, asked)
        if made is None:
            uow.rollback()  # a receipt moved under it: again, on the receipts as they are now
            continue
        result: Answer = 201, answer(made)
        if idempotency_key is not None:
            result = remember(uow, services.ids, caller.tenant_id, idempotency_key, request, result)
        uow.commit()
        return result
    raise Conflict(f"the receipts of community {community_id} kept changing; try again")


def _made(
    uow: UnitOfWork,
    services: Services,
    bank: CollectionPorts,
    caller: Principal,
    community_id: str,
    asked: RemittanceRequest,
) -> Remittance | None:
    """The remittance written in the unit of work, or None when a receipt moved under it."""
    community = fetch(uow.communities, caller, community_id, "community")
    now = services.clock.now()
    today = now.date()
    creditor = creditor_of(community, bank)
    check_collection_date(asked.collection_date, today, community.prenotification_days)
    facts = receipt_facts(uow, _candidates(uow, community, asked.receipt_ids))
    excluded, chosen = [], []
    for found in facts:
        payer = found.payer
        valid = (
            payer is not None and bool(payer.iban) and bank.accounts.iban_problem(payer.iban or "") is None
        )
        why = exclusion(found.receipt, payer, valid, asked.collection_date)
        if why is None:
            chosen.append(found)
        else:
            excluded.append(Excluded(found.receipt.id, why))
    if not chosen:
        raise NothingToCollect(tuple(excluded), community.code, asked.receipt_ids is not None)
    remittance_id = services.ids.new()
    number = uow.next_number(community.tenant_id, SEQUENCE)
    remittance = Remittance(
        id=remittance_id,
        tenant_id=community.tenant_id,
        community_id=community.id,
        number=number,
        message_id=message_id(number, remittance_id),
        scheme=asked.scheme,
        collection_date=asked.collection_date,
        created_at=now,
        created_by=caller.role.value,
        count=len(chosen),
        total_cents=sum(f.receipt.total_cents for f in chosen),
        currency="EUR",
        creditor=creditor,
        excluded=tuple(excluded),
    )
    note = presented_note(remittance.message_id, asked.collection_date)
    entries = []
    for found in chosen:
        receipt = found.receipt
        on = max(today, receipt.status_on or today)
        event = PRESENTING[receipt.status]
        moved, entry = move(receipt, Move(event, on, caller.role.value, note=note), services.ids.new(), now)
        if not stored_move(uow, receipt, moved, entry):
            return None
        entries.append(entry)
    if not _closed_stale(uow, community.tenant_id, [f.receipt.id for f in chosen], today):
        return None
    items = _items(uow, services, community, remittance, chosen, {e.receipt_id: e.id for e in entries})
    uow.remittances.add(remittance)
    try:
        uow.remittance_items.add_all(items)
    except Conflict:
        return None  # another remittance took one of them first
    for entry in entries:
        uow.emit(told(entry))
    return remittance


def creditor_of(community: Community, bank: CollectionPorts) -> Creditor:
    """The community as a creditor; CollectionRefused naming the field it lacks."""
    if not community.iban:
        raise CollectionRefused(
            "creditor_incomplete",
            f"community {community.code} has no IBAN to collect into: set `iban` on the community",
            "iban",
        )
    problem = bank.accounts.iban_problem(community.iban)
    if problem is not None:
        raise CollectionRefused("creditor_incomplete", f"community {community.code}: {problem}", "iban")
    if not community.creditor_id:
        raise CollectionRefused(
            "creditor_incomplete",
            f"community {community.code} has no SEPA creditor identifier: set `creditor_id` on the "
            "community (its bank gives it; ES + check digits + 000 + its NIF)",
            "creditor_id",
        )
    try:
        creditor_id = normalize_creditor_id(community.creditor_id)
    except InvalidCreditorId as error:
        raise CollectionRefused("creditor_incomplete", str(error), "creditor_id") from None
    bic = community.bic or bank.accounts.bic_of(community.iban)
    return Creditor(community.name, community.iban, bic, creditor_id)


def _candidates(
    uow: UnitOfWork, community: Community, receipt_ids: Sequence[str] | None
) -> list[IssuedReceipt]:
    """The receipts asked for (each one of the community's, else CollectionRefused naming it), or every
    issued receipt of the community, in number order."""
    tenant = community.tenant_id
    settlements = [s.id for s in uow.settlements.list(tenant, community_id=community.id).items]
    if receipt_ids is None:
        if not settlements:
            return []
        found = uow.receipts.list(tenant, settlement_id=settlements, status=ReceiptStatus.ISSUED.value)
        return sorted(found.items, key=lambda r: r.number)
    wanted = list(dict.fromkeys(receipt_ids))
    listed = uow.receipts.list(tenant, id=wanted).items if wanted else []
    own = {r.id: r for r in listed if r.settlement_id in settlements}
    for position, receipt_id in enumerate(receipt_ids):
        if receipt_id not in own:
            raise CollectionRefused(
                "unknown_receipt",
                f"no receipt {receipt_id} in community {community.code}",
                f"receipt_ids[{position}]",
            )
    return sorted(own.values(), key=lambda r: r.number)


def _items(
    uow: UnitOfWork,
    services: Services,
    community: Community,
    remittance: Remittance,
    chosen: list[ReceiptFacts],
    sent_by: dict[str, str],
) -> list[RemittanceItem]:
    """One item per receipt; `sent_by` names each receipt's history entry that sent it."""
    mandates = sorted({f.payer.mandate_id for f in chosen if f.payer and f.payer.mandate_id})
    ours = [r.id for r in uow.remittances.list(community.tenant_id, community_id=community.id).items]
    earlier = (
        uow.remittance_items.list(community.tenant_id, remittance_id=ours, mandate_id=mandates).items
        if ours
        else []
    )
    items = []
    for found in chosen:
        payer, receipt = found.payer, found.receipt
        # exclusion() let no other payer through
        assert payer is not None
        assert payer.iban is not None
        assert payer.mandate_id is not None
        assert payer.mandate_signed_on is not None
        items.append(
            RemittanceItem(
                id=services.ids.new(),
                tenant_id=remittance.tenant_id,
                remittance_id=remittance.id,
                receipt_id=receipt.id,
                end_to_end_id=receipt.number,
                amount_cents=receipt.total_cents,
                sequence_type=sequence_type(payer.mandate_id, earlier),
                payer_id=payer.id,
                payer_name=payer.name,
                payer_iban=payer.iban,
                mandate_id=payer.mandate_id,
                mandate_signed_on=payer.mandate_signed_on,
                description=_description(found, payer.language.value),
                event_id=sent_by[receipt.id],
            )
        )
    return items


def _description(found: ReceiptFacts, language: str) -> str:
    """The remittance information in the payer's language: community, service, period, receipt."""
    text = catalogue(language_of(None, language))
    period = found.settlement.period
    return remittance_information(
        found.community.name,
        text.service(found.settlement.service.value),
        f"{text.formats.date(period.start)}-{text.formats.date(period.end)}",
        text("title"),
        found.receipt.number,
    )


def _closed_stale(uow: UnitOfWork, tenant_id: str, receipt_ids: list[str], today: date) -> bool:
    """Close the open items of these receipts left by an earlier remittance (a receipt returned, or moved
    back, by other means than its bank files): they are at the bank through this one now."""
    for item in uow.remittance_items.list(tenant_id, receipt_id=receipt_ids, open=True).items:
        left = replace(item, open=None, outcome=ItemOutcome.LEFT, outcome_on=today)
        if not uow.remittance_items.update_if(left, open=True):
            return False
    return True


def list_remittances(
    uow: UnitOfWork, caller: Principal, *, offset: int = 0, limit: int | None = None, **where: object
) -> Page[Remittance]:
    """The caller's tenant's remittances matching `where` (community_id, status), oldest first."""
    require(caller, Action.READ)
    return uow.remittances.list(caller.tenant_scope, offset=offset, limit=limit, **where)


def remittance_with_items(
    uow: UnitOfWork, caller: Principal, remittance_id: str
) -> tuple[Remittance, list[RemittanceItem]]:
    require(caller, Action.READ)
    remittance = fetch(uow.remittances, caller, remittance_id, "remittance")
    items = uow.remittance_items.list(remittance.tenant_id, remittance_id=remittance.id).items
    return remittance, sorted(items, key=lambda i: i.end_to_end_id)


def remittance_file(
    uow: UnitOfWork, bank: CollectionPorts, caller: Principal, remittance_id: str, version: PainVersion
) -> tuple[Remittance, bytes]:
    """The remittance's pain.008 file in that version (the same bytes at every download); a cancelled
    one's is refused (CollectionRefused `remittance_cancelled`, 409): its receipts were withdrawn, and a
    bank given the file would still debit them."""
    remittance, items = remittance_with_items(uow, caller, remittance_id)
    if remittance.status is RemittanceStatus.CANCELLED:
        on = (remittance.cancelled_at or remittance.created_at).date().isoformat()
        raise CollectionRefused(
            "remittance_cancelled",
            f"remittance {remittance.message_id} was cancelled on {on}: its file must not be sent to the "
            "bank (its receipts are back to issued; a new remittance collects them). If the bank has the "
            "file already, ask it to cancel the collection.",
        )
    return remittance, bank.writer.write(file_of(remittance, items), version)


def cancel_remittance(
    uow: UnitOfWork, services: Services, caller: Principal, remittance_id: str
) -> Remittance:
    """Cancel an open remittance before its collection date: its receipts still at the bank through it
    are withdrawn (back to `issued`, with a history entry and outbox event each). A cancelled one is
    returned as it is (cancelling again changes nothing). CollectionRefused when it is closed or its
    date has come; Conflict when its receipts kept changing."""
    require(caller, Action.WRITE)
    for _ in range(TRIES):
        remittance = fetch(uow.remittances, caller, remittance_id, "remittance")
        if remittance.status is RemittanceStatus.CANCELLED:
            return remittance
        now = services.clock.now()
        can_cancel(remittance, now.date())
        cancelled = _cancelled(uow, services, caller, remittance, now)
        if cancelled is not None:
            uow.commit()
            return cancelled
        uow.rollback()
    raise Conflict(f"the receipts of remittance {remittance_id} kept changing; try again")


def _cancelled(
    uow: UnitOfWork, services: Services, caller: Principal, remittance: Remittance, now: datetime
) -> Remittance | None:
    today = now.date()
    items = uow.remittance_items.list(remittance.tenant_id, remittance_id=remittance.id, open=True).items
    receipts = {
        r.id: r for r in uow.receipts.list(remittance.tenant_id, id=[i.receipt_id for i in items]).items
    }
    entries: list[ReceiptEvent] = []
    note = withdrawn_note(remittance.message_id)
    for item in items:
        receipt = receipts[item.receipt_id]
        outcome = ItemOutcome.LEFT
        if receipt.status is ReceiptStatus.IN_COLLECTION:
            on = max(today, receipt.status_on or today)
            asked = Move(EventType.WITHDRAWN, on, caller.role.value, note=note)
            moved, entry = move(receipt, asked, services.ids.new(), now)
            if not stored_move(uow, receipt, moved, entry):
                return None
            entries.append(entry)
            outcome = ItemOutcome.WITHDRAWN
        closed = replace(item, open=None, outcome=outcome, outcome_on=today)
        if not uow.remittance_items.update_if(closed, open=True):
            return None
    cancelled = replace(remittance, status=RemittanceStatus.CANCELLED, cancelled_at=now)
    if not uow.remittances.update_if(cancelled, status=RemittanceStatus.OPEN.value):
        return None
    for entry in entries:
        uow.emit(told(entry))
    return cancelled


def collection_date_of(uow: UnitOfWork, tenant_id: str, event_id: str) -> date | None:
    """The debit date a `presented` or `represented` history entry sent its receipt to the bank for (what
    the SEPA pre-notification tells the resident); None when no remittance of prorata's sent it (a
    management system reported it over REST)."""
    items = uow.remittance_items.list(tenant_id, event_id=event_id).items
    if not items:
        return None
    remittance = uow.remittances.get(tenant_id, items[0].remittance_id)
    return None if remittance is None else remittance.collection_date
