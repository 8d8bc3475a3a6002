"""Use cases: which receipts a caller reads. A resident reads a receipt only if she held its unit during
its settlement's period: never the previous or the next owner's."""

from __future__ import annotations

from prorata.application.access import fetch, require
from prorata.application.errors import NotFound
from prorata.domain.access.principal import Action, Principal, Role
from prorata.domain.ports.repository import Page
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.settlement.stored import IssuedReceipt


def readable_receipts(
    uow: UnitOfWork, caller: Principal, *, offset: int = 0, limit: int | None = None, **where: object
) -> Page[IssuedReceipt]:
    """The receipts matching `where` that the caller may read: its tenant's (support: every tenant's),
    or a resident's own. `where` names receipt fields (a list: any of its values; `issued_on__from`,
    `issued_on__to`: dates of issue), or `community_id`: the receipts of its settlements."""
    where = _by_community(uow, caller, where)
    if caller.role is not Role.RESIDENT:
        require(caller, Action.READ)
        return uow.receipts.list(caller.tenant_scope, offset=offset, limit=limit, **where)
    require(caller, Action.READ_OWN_RECEIPTS)
    assert caller.resident_id is not None
    resident = fetch(uow.residents, caller, caller.resident_id, "resident")
    return uow.held_receipts.list(
        caller.tenant_scope, resident.occupancies, offset=offset, limit=limit, **where
    )


def readable_receipt(uow: UnitOfWork, caller: Principal, receipt_id: str) -> IssuedReceipt:
    """The receipt, if the caller may read it; NotFound otherwise, whoever holds it."""
    found = readable_receipts(uow, caller, id=receipt_id, limit=1).items
    if not found:
        raise NotFound(f"no receipt {receipt_id}")
    return found[0]


def _by_community(uow: UnitOfWork, caller: Principal, where: dict[str, object]) -> dict[str, object]:
    """A community's receipts are those of its settlements (few: one per service and period)."""
    if "community_id" not in where:
        return where
    rest = dict(where)
    community = rest.pop("community_id")
    settlements = {s.id for s in uow.settlements.list(caller.tenant_scope, community_id=community).items}
    asked = rest.get("settlement_id")
    if asked is not None:
        settlements &= set(asked) if isinstance(asked, list | tuple) else {asked}
    rest["settlement_id"] = sorted(settlements)
    return rest
