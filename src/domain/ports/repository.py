"""Port: keeping domain records, each scoped to its tenant."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class Unstorable(Exception):
    """The store cannot keep a value as given (longer than its column, out of range): a permanent error
    of the input, not of the store."""


class Conflict(Exception):
    """A uniqueness or reference rule of the store refused the change (a duplicate code, a record in use)."""


@dataclass(frozen=True, slots=True)
class Reference:
    """Records of one kind that refer to another: `count` of them (`kinds` in the plural, `kind` one)."""

    kinds: str
    kind: str
    count: int

    def __str__(self) -> str:
        return f"{self.count} {self.kind if self.count == 1 else self.kinds}"


class InUse(Conflict):
    """A record that other records still refer to cannot be deleted; `references` says which."""

    def __init__(self, record: str, references: tuple[Reference, ...]) -> None:
        self.record = record
        self.references = references
        listed = ", ".join(str(r) for r in references)
        super().__init__(f"the {record} cannot be deleted: {listed} refer to it")


class Missing(Exception):
    """No such record in this tenant: a repository bound to one tenant was asked to write a record that
    is absent or another tenant's (the caller cannot tell which)."""

    code = "not_found"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int


class Repository(Protocol[T]):
    """Records of one kind. `tenant` limits every look-up to one tenant; None reaches all (support).

    A repository may be bound to one tenant (its unit of work was opened for that tenant's caller): then
    it reaches that tenant's records only, whatever `tenant` it is passed — another tenant's records are
    absent for it, and writing one raises Missing."""

    @abstractmethod
    def add(self, item: T) -> None:
        """Keep a new record; raises Conflict when it duplicates a unique one, Missing when a bound
        repository is given another tenant's."""

    @abstractmethod
    def add_all(self, items: list[T]) -> None:
        """Keep many new records at once; all or none (as `add` refuses one, it refuses them all)."""

    @abstractmethod
    def get(self, tenant: str | None, id: str) -> T | None: ...

    @abstractmethod
    def list(
        self, tenant: str | None, *, offset: int = 0, limit: int | None = None, **where: object
    ) -> Page[T]:
        """Records whose fields equal `where` (a list or tuple value means any of them; a name ending in
        `__from` or `__to` bounds that field), oldest first."""

    @abstractmethod
    def update(self, item: T) -> None:
        """Replace the stored record with the same id; raises Conflict on a duplicate, and Missing when a
        bound repository holds no such record."""

    @abstractmethod
    def update_if(self, item: T, **expected: object) -> bool:
        """Replace the stored record only while its fields still equal `expected`; whether it did. Of
        concurrent callers expecting the same values, one wins."""

    @abstractmethod
    def delete(self, item: T) -> None:
        """Raises Conflict while other records refer to it, and Missing when a bound repository holds no
        such record."""

    @abstractmethod
    def delete_where(self, tenant: str | None, **where: object) -> int:
        """Delete every record whose fields equal `where`; returns how many."""
