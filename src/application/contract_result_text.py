"""The receipts of a result as the contract's JSON text, written from the result's columns.

A receipt's text is a template made by orjson itself, from a receipt whose figures are stand-ins (so it is
byte for byte what orjson writes of the receipt's object, indented or compact); the text between them is
the same for every receipt. A run of receipts with as many meters is one `str.join` over that text and
the columns of their figures, each column formatted in a pass of C calls. (Building each receipt's objects
— a dict per receipt, line and meter — for the encoder took longer than prorating the settlement, and
filling a template with `%` per receipt took 4 µs each, 0.2 s for 50,000.)"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from functools import cache
from itertools import accumulate, chain, groupby, repeat
from operator import floordiv, is_, mod
from typing import Any

import orjson

from prorata.domain.money import plain_all
from prorata.domain.settlement.result import Millionths, ReceiptColumns

# What orjson escapes in a string (as `json.dumps` does): control characters, the quote, the backslash.
_ESCAPED = re.compile(r'[\x00-\x1f"\\]')
_BOOLEAN = {True: "true", False: "false"}
_HUNDREDTHS = [f"{n:02d}" for n in range(100)]
_WHOLES = 10_000


class _Kind(Enum):
    """How a field is written: as text between quotes (a figure, or a string needing no escape), as
    JSON of its own (a string with its quotes, null, true…), or as cents (two texts: whole, hundredths)."""

    TEXT = "text"
    JSON = "json"
    CENTS = "cents"


class ReceiptsText:
    """The receipts of `columns` as the items of the contract's `receipts` list, a batch at a time: one
    level deeper than a list of their own (with `indent`, two more spaces a line), separated by commas.
    How each field is written is decided once, for all its values."""

    def __init__(self, columns: ReceiptColumns, indent: bool) -> None:
        self.columns = columns
        self.indent = indent
        meters = columns.meters
        self.meter_starts = list(accumulate(meters.counts, initial=0))
        self.unit = _Kind.TEXT if _needs_no_escape(columns.units) else _Kind.JSON
        self.totals = _money_kind(columns.totals)
        self.consumption = _Kind.JSON if _holds_none(columns.consumptions) else _Kind.TEXT
        self.amounts = [_money_kind(shares.cents) for shares in columns.shares]
        serials_plain = not _holds_none(meters.meters) and _needs_no_escape(meters.meters)  # type: ignore[arg-type]
        self.serial = _Kind.TEXT if serials_plain else _Kind.JSON
        self.previous = _Kind.JSON if _holds_none(meters.previous) else _Kind.TEXT
        self.current = _Kind.JSON if _holds_none(meters.current) else _Kind.TEXT
        self.templates: dict[int, _Template] = {}

    def text(self, start: int, stop: int) -> bytes:
        """Receipts `start` to `stop` in UTF-8, each after a comma (the caller drops the first one's)."""
        columns = self.columns
        stop = min(stop, len(columns.units))
        texts = _Texts()
        fields: list[Sequence[str]] = [
            *texts.strings(columns.units, start, stop, self.unit),
            *texts.money(columns.totals, start, stop, self.totals),
            *texts.quantities(columns.consumptions, start, stop, self.consumption),
            list(map(_BOOLEAN.__getitem__, columns.estimated[start:stop])),
        ]
        for shares, amounts in zip(columns.shares, self.amounts, strict=True):
            fields += texts.quantities(shares.weights, start, stop, _Kind.TEXT)
            fields += texts.money(shares.cents, start, stop, amounts)
            fields += texts.exact(shares.exact, start, stop)
        first, last = self.meter_starts[start], self.meter_starts[stop]
        meters = self.columns.meters
        meter_fields = [
            *texts.strings(meters.meters, first, last, self.serial),
            *texts.quantities(meters.previous, first, last, self.previous),
            *texts.quantities(meters.current, first, last, self.current),
            *texts.quantities(meters.factors, first, last, _Kind.TEXT),
            list(map(_BOOLEAN.__getitem__, meters.rolled_over[first:last])),
            *texts.quantities(meters.consumptions, first, last, _Kind.TEXT),
        ]
        # Runs of receipts with as many meters: one template each, their meters' fields in line.
        pieces = []
        receipt = meter = 0
        for count, run in groupby(meters.counts[start:stop]):
            size = len(list(run))
            end = receipt + size
            run_fields = [field[receipt:end] for field in fields]
            for k in range(count):
                run_fields += [field[meter + k : meter + size * count : count] for field in meter_fields]
            pieces.append(self._template(count).fill(run_fields))
            receipt, meter = end, meter + size * count
        # Written as Latin-1 stand-ins for its UTF-8 bytes (see _latin1), so that encoding it is a copy.
        return "".join(pieces).encode("latin-1")

    def _template(self, meters: int) -> _Template:
        if meters not in self.templates:
            self.templates[meters] = _Template(self._receipt(meters), self.indent)
        return self.templates[meters]

    def _receipt(self, meters: int) -> dict[str, Any]:
        """A receipt of `meters` meters, its fields' kinds as stand-ins for their values."""
        return {
            "unit": self.unit,
            "total": self.totals,
            "consumption": self.consumption,
            "estimated": _Kind.JSON,
            "lines": [
                {
                    "concept": shares.pool.concept,
                    "part": shares.pool.part.value,
                    "basis": shares.pool.basis,
                    "weight": _Kind.TEXT,
                    "amount": amount,
                    "exact": _Kind.TEXT,
                }
                for shares, amount in zip(self.columns.shares, self.amounts, strict=True)
            ],
            "meters": [
                {
                    "meter": self.serial,
                    "previous": self.previous,
                    "current": self.current,
                    "factor": _Kind.TEXT,
                    "rolled_over": _Kind.JSON,
                    "consumption": _Kind.TEXT,
                }
            ]
            * meters,
        }


class _Template:
    """A receipt's text cut at its fields: `fill` joins the texts between them with the fields' values."""

    def __init__(self, receipt: dict[str, Any], indent: bool) -> None:
        constants = "".join(str(line[name]) for line in receipt["lines"] for name in ("concept", "basis"))
        # Three characters none of the lines' concepts and bases holds stand for the three kinds.
        marks = iter(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in constants)
        kinds = {_Kind.TEXT: next(marks), _Kind.JSON: next(marks), _Kind.CENTS: next(marks)}
        text = orjson.dumps([_marked(receipt, kinds)], option=orjson.OPT_INDENT_2 if indent else 0).decode()
        # The item without the list's brackets; indented, one level deeper. After the comma before it.
        text = "," + (text[1:-2].replace("\n", "\n  ") if indent else text[1:-1])
        text = text.replace(f'"{kinds[_Kind.JSON]}"', kinds[_Kind.JSON])
        text = text.replace(kinds[_Kind.CENTS], f"{kinds[_Kind.TEXT]}.{kinds[_Kind.TEXT]}")
        self.between = list(map(_latin1, re.split("|".join(map(re.escape, kinds.values())), text)))

    def fill(self, fields: list[Sequence[str]]) -> str:
        """The receipts whose fields' values are the items of `fields`, in the order of the template."""
        assert len(fields) == len(self.between) - 1
        parts: list[Iterable[str]] = [repeat(self.between[0])]
        for field, after in zip(fields, self.between[1:], strict=True):
            parts += [field, repeat(after)]
        return "".join(chain.from_iterable(zip(*parts, strict=False)))  # the repeats are endless


def _marked(value: Any, marks: dict[_Kind, str]) -> Any:
    """The receipt with each field's kind replaced by its mark."""
    if isinstance(value, dict):
        return {name: _marked(item, marks) for name, item in value.items()}
    if isinstance(value, list):
        return [_marked(item, marks) for item in value]
    return marks[value] if isinstance(value, _Kind) else value


class _Texts:
    """The texts of one batch's fields (a unit's consumption is also its weight in a consumption pool,
    and its one meter's consumption: each column's texts are made once)."""

    def __init__(self) -> None:
        self.made: dict[int, list[str | None]] = {}
        self.parts: list[tuple[Sequence[Decimal | None], list[str | None]]] = []

    def strings(
        self, values: Sequence[str | None], start: int, stop: int, kind: _Kind
    ) -> list[Sequence[str]]:
        part = values[start:stop]
        if kind == _Kind.TEXT:
            return [part if "".join(part).isascii() else list(map(_latin1, part))]  # type: ignore[arg-type,list-item]
        return [["null" if text is None else orjson.dumps(text).decode("latin-1") for text in part]]

    def money(self, cents: Sequence[int], start: int, stop: int, kind: _Kind) -> list[Sequence[str]]:
        part = cents[start:stop]
        if kind == _Kind.CENTS:
            wholes = map(floordiv, part, repeat(100))
            # Most amounts are below 10,000: their whole parts' texts are looked up, not made (a third of
            # the time, 30 ms of 90 for 200,000 amounts).
            whole = _wholes().__getitem__ if max(part, default=0) < _WHOLES * 100 else str
            return [list(map(whole, wholes)), list(map(_HUNDREDTHS.__getitem__, map(mod, part, repeat(100))))]
        return [[f"{c // 100}.{c % 100:02d}" if c >= 0 else f"-{-c // 100}.{-c % 100:02d}" for c in part]]

    def quantities(
        self, values: Sequence[Decimal | None], start: int, stop: int, kind: _Kind
    ) -> list[Sequence[str]]:
        """`plain` of each value, as text or as JSON (None as null)."""
        key = id(values)
        if key not in self.made:
            part = values[start:stop]
            same = self._same_values(part)
            self.made[key] = same if same is not None else _quantity_texts(part)
            self.parts.append((part, self.made[key]))
        texts = self.made[key]
        if kind == _Kind.TEXT:
            return [texts]  # type: ignore[list-item]  # no None in them
        return [["null" if text is None else f'"{text}"' for text in texts]]

    def exact(self, values: Sequence[Decimal], start: int, stop: int) -> list[Sequence[str]]:
        if not isinstance(values, Millionths):
            return self.quantities(values, start, stop, _Kind.TEXT)
        part = values.ints[start:stop]
        if min(part, default=0) < 0:
            return [plain_all(Millionths(part))]
        # Whole millionths written with six decimals, then without their trailing zeros (and point).
        texts = map("%d.%06d".__mod__, map(divmod, part, repeat(1_000_000)))
        return [list(map(str.rstrip, map(str.rstrip, texts, repeat("0")), repeat(".")))]

    def _same_values(self, part: Sequence[Decimal | None]) -> list[str | None] | None:
        """The texts of a column of the very values of one made already (a unit's one meter's consumption
        is the unit's), or of one value throughout (the factors, most often): each is one pass, where
        writing the column is several."""
        for made, texts in self.parts:
            if len(made) == len(part) and all(map(is_, made, part)):
                return texts
        if part and part[0] is not None and all(map(is_, part, repeat(part[0]))):
            return [*plain_all(part[:1]) * len(part)]  # type: ignore[arg-type]  # not None
        return None


@cache
def _wholes() -> list[str]:
    """The texts of the whole numbers below _WHOLES, made on first use."""
    return list(map(str, range(_WHOLES)))


def _latin1(text: str) -> str:
    """The text's UTF-8 bytes, each as the Latin-1 character of that byte: a text of them encodes to
    Latin-1 by a copy, where encoding to UTF-8 a text with an accent in it (a concept's "Gasóleo") goes
    character by character (0.17 s for 49 MB). The figures are ASCII, the same either way."""
    return text.encode().decode("latin-1")


def _quantity_texts(values: Sequence[Decimal | None]) -> list[str | None]:
    if _holds_none(values):
        texts = iter(plain_all([value for value in values if value is not None]))
        return [None if value is None else next(texts) for value in values]
    return plain_all(values)  # type: ignore[arg-type,return-value]  # no None in it


def _money_kind(cents: Sequence[int]) -> _Kind:
    return _Kind.CENTS if min(cents, default=0) >= 0 else _Kind.TEXT


def _needs_no_escape(texts: Sequence[str]) -> bool:
    return _ESCAPED.search("".join(texts)) is None


def _holds_none(values: Sequence[object]) -> bool:
    return any(map(is_, values, repeat(None)))
