"""Weights of the fixed keys: ownership coefficient, floor area, equal shares."""

from __future__ import annotations

from decimal import Decimal
from itertools import repeat
from operator import is_

from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.settlement.request import FixedKey, Unit


def key_weights(key: FixedKey, units: tuple[Unit, ...]) -> tuple[list[Decimal] | None, list[Problem]]:
    """The units' weights under `key`, or None with a problem for each unit lacking the figure."""
    if key is FixedKey.EQUAL:
        return [Decimal(1)] * len(units), []
    figures = (
        [unit.coefficient for unit in units] if key is FixedKey.COEFFICIENT else [unit.area for unit in units]
    )
    # `None in figures` would compare each Decimal to None, asking the numbers ABCs each time: 10 ms for
    # 50,000 units, against 1 ms by identity.
    if not any(map(is_, figures, repeat(None))):
        return figures, []  # type: ignore[return-value]  # no None in it
    weights: list[Decimal] = []
    problems: list[Problem] = []
    for index, unit in enumerate(units):
        value = unit.coefficient if key is FixedKey.COEFFICIENT else unit.area
        if value is None:
            problems.append(
                Problem(
                    ErrorCode.INVALID_REQUEST,
                    f"unit {unit.code} needs a {key.value}: a cost line is shared by it",
                    unit=unit.code,
                    field=f"units[{index}].{key.value}",
                )
            )
        else:
            weights.append(value)
    return (None if problems else weights), problems
