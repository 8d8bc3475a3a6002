"""Who is calling, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """`integration`: a management system pushing data; `manager`: a tenant's staff; `support`: platform
    staff across tenants; `resident`: one resident, reaching only their own units' receipts."""

    INTEGRATION = "integration"
    MANAGER = "manager"
    SUPPORT = "support"
    RESIDENT = "resident"


class Action(StrEnum):
    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    PUBLISH = "publish"
    SIMULATE = "simulate"
    ISSUE_KEYS = "issue_keys"
    READ_OWN_RECEIPTS = "read_own_receipts"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.MANAGER: frozenset(
        {Action.READ, Action.WRITE, Action.DELETE, Action.PUBLISH, Action.SIMULATE, Action.ISSUE_KEYS}
    ),
    Role.INTEGRATION: frozenset({Action.READ, Action.WRITE, Action.PUBLISH, Action.SIMULATE}),
    Role.SUPPORT: frozenset({Action.READ, Action.SIMULATE}),
    Role.RESIDENT: frozenset({Action.READ_OWN_RECEIPTS}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    tenant_id: str | None = None
    resident_id: str | None = None

    def __post_init__(self) -> None:
        if self.role is Role.SUPPORT and self.tenant_id is not None:
            raise ValueError("support works across tenants and belongs to none")
        if self.role is not Role.SUPPORT and self.tenant_id is None:
            raise ValueError(f"a {self.role.value} belongs to a tenant")
        if (self.role is Role.RESIDENT) != (self.resident_id is not None):
            raise ValueError("a resident token, and only one, names its resident")

    def may(self, action: Action) -> bool:
        return action in _ALLOWED[self.role]

    @property
    def tenant_scope(self) -> str | None:
        """The tenant whose data this principal sees; None means every tenant (support)."""
        return self.tenant_id
