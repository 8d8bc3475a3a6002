"""An adapter made when it is first used, not when the components are wired: the PDF, SEPA, spreadsheet,
HTTP and push adapters import libraries that take 0.02–0.16 s each to import (≈ 0.55 s together), and
most processes (a command, a worker that only imports files) never use most of them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

Port = TypeVar("Port")


def on_first_use(make: Callable[[], Port]) -> Port:
    """Stands for the adapter `make` returns: made once, by the first attribute read (a method called),
    in whichever thread comes first; every later read goes to that one adapter."""
    return cast(Port, _Deferred(make))


class _Deferred:
    __slots__ = ("_adapter", "_lock", "_make")

    def __init__(self, make: Callable[[], object]) -> None:
        self._make = make
        self._adapter: object | None = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # only for names this object does not have itself
        if name.startswith("_"):  # its slots not yet set (a copy), `__deepcopy__`…: not the port's to answer
            raise AttributeError(name)
        return getattr(self._made(), name)

    def _made(self) -> object:
        if self._adapter is None:
            with self._lock:
                if self._adapter is None:
                    self._adapter = self._make()
        return self._adapter

    def __repr__(self) -> str:
        return f"on_first_use({self._adapter or 'not made yet'!r})"
