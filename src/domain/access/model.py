"""Tenants (management companies) and the API keys that act for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prorata.domain.access.principal import Principal, Role


@dataclass(frozen=True, slots=True)
class Tenant:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ApiKey:
    """Only the secret's hash is kept; the key itself is shown once, when it is created."""

    id: str
    role: Role
    secret_hash: str
    created_at: datetime
    tenant_id: str | None = None
    resident_id: str | None = None
    revoked_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(self.role, self.tenant_id, self.resident_id)


@dataclass(frozen=True, slots=True)
class Replay:
    """The first answer to a request sent with a client idempotency key, returned again on replays."""

    id: str
    tenant_id: str
    key: str
    fingerprint: str
    status: int
    body: dict[str, object]
