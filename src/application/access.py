"""Use cases: tenants, API keys (shown once, kept hashed) and recognising the caller."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace
from typing import TypeVar

from prorata.application.errors import Forbidden, NotFound
from prorata.domain.access.model import ApiKey, Tenant
from prorata.domain.access.principal import Action, Principal, Role
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.repository import Page, Repository
from prorata.domain.ports.unit_of_work import UnitOfWork

T = TypeVar("T")
_PREFIX = "prk"
_HEX = set("0123456789abcdef")


def create_tenant(uow: UnitOfWork, ids: IdGenerator, name: str) -> Tenant:
    if not name.strip():
        raise ValueError("a tenant needs a name")
    tenant = Tenant(ids.new(), name.strip())
    uow.tenants.add(tenant)
    uow.commit()
    return tenant


def create_key(
    uow: UnitOfWork,
    ids: IdGenerator,
    clock: Clock,
    role: Role,
    tenant_id: str | None = None,
    resident_id: str | None = None,
) -> str:
    """A new API key, returned once; only a hash of its secret is kept."""
    if tenant_id is not None and uow.tenants.get(None, tenant_id) is None:
        raise NotFound(f"no tenant {tenant_id}")
    if resident_id is not None and uow.residents.get(tenant_id, resident_id) is None:
        raise NotFound(f"no resident {resident_id} in tenant {tenant_id}")
    Principal(role, tenant_id, resident_id)  # refuses a combination no principal can have
    key_id = ids.new()
    secret = secrets.token_urlsafe(32)
    uow.keys.add(ApiKey(key_id, role, _digest(secret), clock.now(), tenant_id, resident_id))
    uow.commit()
    return f"{_PREFIX}_{key_id.replace('-', '')}_{secret}"


def authenticate(uow: UnitOfWork, presented: str) -> Principal | None:
    """The principal a presented key acts for, or None for an unknown, malformed or revoked key.
    The secret is compared in constant time."""
    key_id = key_id_of(presented)
    if key_id is None:
        return None
    secret = presented.split("_", 2)[2]  # the secret itself may hold "_"
    key = uow.keys.get(None, key_id)
    if key is None or key.revoked_at is not None:
        hmac.compare_digest(_digest(secret), _digest(""))  # same work for unknown keys
        return None
    if not hmac.compare_digest(key.secret_hash, _digest(secret)):
        return None
    return key.principal()


def key_id_of(presented: str) -> str | None:
    """The id of the key a presented key is (`prk_<id without dashes>_<secret>`), None when malformed."""
    prefix, _, rest = presented.partition("_")
    compact, _, secret = rest.partition("_")
    if prefix != _PREFIX or len(compact) != 32 or not secret or not set(compact) <= _HEX:
        return None
    return f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-{compact[16:20]}-{compact[20:]}"


def list_keys(
    uow: UnitOfWork, tenant: str | None, *, offset: int = 0, limit: int | None = None, **where: object
) -> Page[ApiKey]:
    """The tenant's keys (None: every key, support's too), revoked ones included, oldest first."""
    return uow.keys.list(tenant, offset=offset, limit=limit, **where)


def revoke_key(uow: UnitOfWork, clock: Clock, tenant: str | None, key_id: str) -> ApiKey:
    """Revoke the key, from now on: it authenticates no more request. Revoking a revoked key keeps its
    first revocation. NotFound when the tenant (None: any) holds no such key. Committed."""
    key = uow.keys.get(tenant, key_id)
    if key is None:
        raise NotFound(f"no key {key_id}")
    if key.revoked_at is None:
        key = replace(key, revoked_at=clock.now())
        uow.keys.update(key)
        uow.commit()
    return key


# What each role's key may do, told when it is refused something.
_MAY = {
    Role.MANAGER: "it does everything in its tenant",
    Role.INTEGRATION: "it reads, writes and publishes in its tenant, but deletes nothing and issues no "
    "keys: use a manager key for that",
    Role.SUPPORT: "it reads every tenant and reprocesses, cancels or requeues under /v1/admin, but changes "
    "no tenant's records: use the tenant's manager or integration key",
    Role.RESIDENT: "it reads only its resident's own record, receipts, readings and notifications: GET "
    "/v1/me, /v1/me/receipts, /v1/me/receipts/{id}/pdf, /v1/me/readings, /v1/me/notifications",
}


def require(principal: Principal, action: Action) -> None:
    if not principal.may(action):
        role = principal.role.value
        article = "an" if role[0] in "aeiou" else "a"
        raise Forbidden(
            f"{article} {role} key may not {action.value.replace('_', ' ')} here: {_MAY[principal.role]}"
        )


def fetch(repository: Repository[T], principal: Principal, id: str, what: str) -> T:
    """The record if the principal's tenant holds it; NotFound otherwise, whoever holds it."""
    found = repository.get(principal.tenant_scope, id)
    if found is None:
        raise NotFound(f"no {what} {id}")
    return found


def _digest(secret: str) -> str:
    # Keys carry 256 random bits, so a fast hash is as strong as a slow one here.
    return hashlib.sha256(secret.encode()).hexdigest()
