"""Settlement contract v1, JSON in: the request object turned into the domain's SettlementRequest."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from prorata.application.contract_columns import units_by_columns
from prorata.application.json_fields import FieldReader, is_decimal_text
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.settlement.request import (
    ONE,
    ZERO,
    AreaAverageEstimation,
    CostLine,
    FixedKey,
    Period,
    Reading,
    Service,
    SettlementRequest,
    Tariff,
    TariffBlock,
    Unit,
    unit_key,
)

_SERVICES = [s.value for s in Service]
_KEYS = [k.value for k in FixedKey]
_TOP = {"service", "period", "currency", "consumption_share", "fixed_key", "estimation", "costs", "units"}
_COST = {"concept", "amount", "consumption_share", "fixed_key", "tariff"}
_UNIT = {"unit", "coefficient", "area", "metered", "readings"}
_READING = {"meter", "previous", "current", "consumption", "factor", "rollover", "date"}


def parse_request(data: object, units: tuple[Unit, ...] | None = None) -> SettlementRequest:
    """The request, or InvalidInput with an `invalid_request` problem for every field that breaks the
    contract; each names the field (`costs[1].amount`). With `units`, the JSON holds only the terms
    (no `units` field) and these units are settled, as for a settlement kept for a community."""
    problems: list[Problem] = []
    top = FieldReader(data, "", problems)
    top.only(_TOP if units is None else _TOP - {"units"})
    share = top.decimal("consumption_share", minimum=ZERO, maximum=ONE)
    key = top.choice("fixed_key", FixedKey, FixedKey.COEFFICIENT, _KEYS)
    costs = [
        _cost(item, f"costs[{i}]", problems, ONE if share is None else share, key)
        for i, item in enumerate(top.items("costs", required=True))
    ]
    if units is None:
        items = top.items("units", required=True)
        parsed_units: list[Unit | None] = units_by_columns(items) or [
            _plain_unit(item) or _unit(item, f"units[{i}]", problems) for i, item in enumerate(items)
        ]
    else:
        parsed_units = list(units)
    if top.data.get("costs") == []:
        top.refuse("costs", "must hold at least one cost line")
    if top.data.get("units") == []:
        top.refuse("units", "must hold at least one unit")
    _refuse_duplicate_units(parsed_units, problems)
    currency = top.text("currency", default="EUR")
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isupper()):
        top.refuse("currency", "must be an ISO 4217 code such as EUR")
    service = top.choice("service", Service, Service.OTHER, _SERVICES)
    period = _period(top.data.get("period"), problems)
    estimation = _estimation(top.data.get("estimation"), problems)
    if problems:
        raise InvalidInput(problems)
    return SettlementRequest(
        costs=tuple(c for c in costs if c is not None),
        units=tuple(filter(None, parsed_units)),
        service=service,
        currency=currency or "EUR",
        period=period,
        estimation=estimation,
    )


def _cost(data: object, path: str, problems: list[Problem], share: Decimal, key: FixedKey) -> CostLine | None:
    line = FieldReader(data, path, problems)
    line.only(_COST)
    before = len(problems)
    concept = line.text("concept", required=True)
    tariff = _tariff(line.data.get("tariff"), f"{path}.tariff", problems)
    if line.has("tariff") and line.has("consumption_share"):
        line.refuse("consumption_share", "cannot go with a tariff: a tariff line is priced by consumption")
    amount = line.decimal("amount", required=not line.has("tariff"), cents=True)
    own_share = line.decimal("consumption_share", minimum=ZERO, maximum=ONE)
    fixed_key = line.choice("fixed_key", FixedKey, key, _KEYS)
    if len(problems) > before or concept is None:
        return None
    return CostLine(
        concept=concept,
        amount=amount,
        consumption_share=share if own_share is None else own_share,
        fixed_key=fixed_key,
        tariff=tariff,
    )


def _tariff(data: object, path: str, problems: list[Problem]) -> Tariff | None:
    if data is None:
        return None
    reader = FieldReader(data, path, problems)
    reader.only({"blocks"})
    before = len(problems)
    blocks: list[TariffBlock] = []
    for i, item in enumerate(reader.items("blocks", required=True)):
        block = FieldReader(item, f"{path}.blocks[{i}]", problems)
        block.only({"up_to", "price"})
        if "up_to" not in block.data and isinstance(item, dict):
            block.refuse("up_to", "is required (null for the last, unbounded block)")
        up_to = block.decimal("up_to", positive=True)
        price = block.decimal("price", required=True, minimum=ZERO)
        if price is not None:
            blocks.append(TariffBlock(up_to, price))
    if len(problems) > before:
        return None
    try:
        return Tariff(tuple(blocks))
    except ValueError as error:
        reader.refuse("blocks", str(error))
        return None


_PLAIN_UNIT = frozenset({"unit", "coefficient", "area", "metered"})


def _plain_unit(data: object) -> Unit | None:
    """The unit, when it is a well-formed one without readings (most of a large request, the readings
    coming from a file); None sends it through `_unit`, which says what is wrong with it."""
    if type(data) is not dict or not data.keys() <= _PLAIN_UNIT:
        return None
    code, metered = data.get("unit"), data.get("metered")
    if metered is None:
        metered = True  # as FieldReader reads it: null is absent
    if type(code) is not str or not code.strip() or type(metered) is not bool:
        return None
    keys: list[Decimal | None] = []
    for name in ("coefficient", "area"):
        text = data.get(name)
        if text is None:
            keys.append(None)
        elif type(text) is str and is_decimal_text(text) and (value := Decimal(text)) >= ZERO:
            keys.append(value)
        else:
            return None
    return Unit(code, keys[0], keys[1], metered)


def _unit(data: object, path: str, problems: list[Problem]) -> Unit | None:
    code = data.get("unit") if isinstance(data, dict) else None
    unit = FieldReader(data, path, problems, unit=code if isinstance(code, str) else None)
    unit.only(_UNIT)
    before = len(problems)
    code = unit.text("unit", required=True)
    coefficient = unit.decimal("coefficient", minimum=ZERO)
    area = unit.decimal("area", minimum=ZERO)
    metered = unit.boolean("metered", True)
    readings = [
        parse_reading(item, f"{path}.readings[{i}]", problems, code)
        for i, item in enumerate(unit.items("readings"))
    ]
    if len(problems) > before or code is None:
        return None
    return Unit(
        code=code,
        coefficient=coefficient,
        area=area,
        metered=metered,
        readings=tuple(r for r in readings if r is not None),
    )


def parse_reading(data: object, path: str, problems: list[Problem], unit: str | None) -> Reading | None:
    """One reading of the contract, or None with its problems appended."""
    reading = FieldReader(data, path, problems, unit=unit)
    reading.only(_READING)
    before = len(problems)
    meter = reading.text("meter")
    previous = reading.decimal("previous")
    current = reading.decimal("current")
    consumption = reading.decimal("consumption")
    factor = reading.decimal("factor", minimum=ZERO)
    rollover = reading.decimal("rollover", positive=True)
    read_on = reading.iso_date("date")
    by_index = reading.has("previous") or reading.has("current")
    if reading.has("consumption") and by_index:
        reading.refuse(None, "gives previous and current, or consumption, not both")
    elif not reading.has("consumption") and not (reading.has("previous") and reading.has("current")):
        reading.refuse(None, "needs previous and current, or consumption")
    if len(problems) > before:
        return None
    return Reading(
        meter=meter,
        previous=previous,
        current=current,
        consumption=consumption,
        factor=ONE if factor is None else factor,
        rollover=rollover,
        read_on=read_on,
    )


def _period(data: object, problems: list[Problem]) -> Period | None:
    if data is None:
        return None
    reader = FieldReader(data, "period", problems)
    reader.only({"from", "to"})
    start = reader.iso_date("from", required=True)
    end = reader.iso_date("to", required=True)
    if start is None or end is None:
        return None
    if end < start:
        reader.refuse("to", "is before period.from")
        return None
    return Period(start, end)


def _estimation(data: object, problems: list[Problem]) -> AreaAverageEstimation | None:
    if data is None or data == "none":
        return None
    if not isinstance(data, dict):
        FieldReader({}, "estimation", problems).refuse(
            None, 'must be "none" or {"method": "area_average", "max_area_share": "0.25"}'
        )
        return None
    reader = FieldReader(data, "estimation", problems)
    reader.only({"method", "max_area_share"})
    method = reader.choice("method", str, "", ["none", "area_average"])
    if not reader.has("method"):
        reader.refuse("method", "is required")
    cap = reader.decimal("max_area_share", minimum=ZERO, maximum=ONE)
    if method != "area_average":
        return None
    return AreaAverageEstimation() if cap is None else AreaAverageEstimation(cap)


def _refuse_duplicate_units(units: list[Unit | None], problems: list[Problem]) -> None:
    if None not in units:
        # Keys made a column at a time (unit_key's own steps): one set says whether any repeats.
        keys = list(map(str.casefold, map(str.strip, map(attrgetter("code"), units))))
        if len(set(keys)) == len(keys):
            return
    seen: dict[str, int] = {}
    for index, unit in enumerate(units):
        if unit is None:
            continue
        key = unit_key(unit.code)
        if key in seen:
            problems.append(
                Problem(
                    ErrorCode.INVALID_REQUEST,
                    f"units[{index}].unit {unit.code!r} repeats units[{seen[key]}]",
                    unit=unit.code,
                    field=f"units[{index}].unit",
                )
            )
        seen.setdefault(key, index)
