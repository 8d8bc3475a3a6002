"""Block tariffs: each consumption block priced at its own rate."""

from __future__ import annotations

from decimal import Decimal

from prorata.domain.settlement.request import Tariff


def tariff_amount(tariff: Tariff, consumption: Decimal) -> Decimal:
    """The consumption priced block by block, before rounding. Bounds are cumulative; consumption beyond
    a bounded last block is priced at that block's rate."""
    total = Decimal(0)
    lower = Decimal(0)
    for index, block in enumerate(tariff.blocks):
        last = index == len(tariff.blocks) - 1
        upper = None if last else block.up_to
        in_block = (consumption if upper is None else min(consumption, upper)) - lower
        if in_block <= 0:
            break
        total += in_block * block.price
        if upper is not None:
            lower = upper
    return total
