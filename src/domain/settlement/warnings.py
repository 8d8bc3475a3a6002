"""What a settlement's result should tell the person who reads it, beyond its amounts: parts shared by a
key instead of by what was measured, and units whose consumption was estimated."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress, repeat
from operator import is_

from prorata.domain.settlement.result import SettlementResult

_SHOWN = 10  # units named in a warning before "and N more"


@dataclass(frozen=True, slots=True)
class Warning:
    code: str
    message: str


def warnings_of(result: SettlementResult) -> tuple[Warning, ...]:
    found = []
    fallbacks = [pool for pool in result.pools if pool.fallback]
    if fallbacks:
        concepts = ", ".join(dict.fromkeys(pool.concept for pool in fallbacks))
        basis = ", ".join(dict.fromkeys(pool.basis for pool in fallbacks))
        if all(map(is_, result.columns.consumptions, repeat(None))):
            found.append(
                Warning(
                    "no_metered_unit",
                    f"no unit has a {result.service.value} meter read in the period: the consumption part "
                    f"of {concepts} was shared by {basis} instead",
                )
            )
        else:
            found.append(
                Warning(
                    "consumption_fell_back_to_key",
                    f"the readings show no consumption: the consumption part of {concepts} was shared by "
                    f"{basis} instead",
                )
            )
    estimated = list(compress(result.columns.units, result.columns.estimated))
    if estimated:
        named = ", ".join(estimated[:_SHOWN]) + (
            f" and {len(estimated) - _SHOWN} more" if len(estimated) > _SHOWN else ""
        )
        found.append(
            Warning("estimated_units", f"{len(estimated)} unit(s) had no reading and were estimated: {named}")
        )
    return tuple(found)
