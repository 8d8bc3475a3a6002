"""Converting domain records to table rows and back: the domain stays free of the ORM. The converters of
each kind of record are in a module of their own (access_rows, community_rows, …): a command on one kind
imports no other kind's models (all of them took a fifth of a database command's start)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

Row = dict[str, Any]


def plain_row(item: object) -> Row:
    """The record's fields as columns; enums become their values."""
    row = {name: getattr(item, name) for name in _names(type(item))}
    return {k: (v.value if hasattr(v, "value") and not isinstance(v, date) else v) for k, v in row.items()}


_NAMES: dict[type, tuple[str, ...]] = {}


def _names(kind: type) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))
    return names
