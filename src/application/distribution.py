"""Use case: the distribution sheet of a settlement — a draft's current computation, or what a published
one issued (its stored receipts' lines), with the check that the receipts add up to the bill."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from prorata.application.access import fetch, require
from prorata.application.contract_request import parse_request
from prorata.application.errors import NotFound
from prorata.application.settlements import prorated
from prorata.domain.access.principal import Action, Principal
from prorata.domain.money import from_cents
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.settlement.distribution import Distribution, bill_of, distribution, pools_of
from prorata.domain.settlement.result import Part, Receipt, ReceiptLine
from prorata.domain.settlement.stored import IssuedReceipt, Settlement, SettlementStatus


def distribution_sheet(uow: UnitOfWork, principal: Principal, settlement_id: str) -> Distribution:
    """The sheet of a settlement the caller's tenant holds (NotFound otherwise). A draft is computed from
    its stored readings now (InvalidInput when it cannot be yet); a published settlement shows its receipts
    exactly as issued, and its bill from its cost lines."""
    require(principal, Action.READ)
    settlement = fetch(uow.settlements, principal, settlement_id, "settlement")
    if settlement.status is SettlementStatus.DRAFT:
        computed = prorated(uow, settlement)
        result = computed.result
        return distribution(
            settlement, computed.community, result.currency, computed.units, result.pools,
            result.receipts, result.total,
        )  # fmt: skip
    return _as_issued(uow, settlement)


def _as_issued(uow: UnitOfWork, settlement: Settlement) -> Distribution:
    tenant = settlement.tenant_id
    community = uow.communities.get(tenant, settlement.community_id)
    if community is None:
        raise NotFound(f"no community {settlement.community_id}")
    units = {u.id: u for u in uow.units.list(tenant, community_id=community.id).items}
    issued = uow.receipts.list(tenant, settlement_id=settlement.id).items

    def unit_order(receipt: IssuedReceipt) -> tuple[int, str]:
        unit = units.get(receipt.unit_id)
        return (unit.position, unit.code) if unit else (2**62, receipt.number)

    issued.sort(key=unit_order)
    receipts = [_stored(r) for r in issued]
    pools = pools_of(receipts)
    request = parse_request(settlement.terms, units=())
    return distribution(
        settlement, community, request.currency, [units.get(r.unit_id) for r in issued], pools,
        receipts, bill_of(request.costs, pools),
    )  # fmt: skip


def _stored(receipt: IssuedReceipt) -> Receipt:
    """A stored receipt's contract v1 `detail` read back as the engine's Receipt (without its meters,
    which the sheet does not show), its total the amount issued (`total_cents`)."""
    detail: dict[str, Any] = receipt.detail
    consumption = detail.get("consumption")
    return Receipt(
        unit=str(detail["unit"]),
        total=from_cents(receipt.total_cents),
        consumption=None if consumption is None else Decimal(consumption),
        estimated=bool(detail.get("estimated", False)),
        lines=tuple(
            ReceiptLine(
                concept=str(line["concept"]),
                part=Part(line["part"]),
                basis=str(line["basis"]),
                weight=Decimal(line["weight"]),
                amount=Decimal(line["amount"]),
                exact=Decimal(line.get("exact", line["amount"])),
            )
            for line in detail.get("lines", ())
        ),
    )
