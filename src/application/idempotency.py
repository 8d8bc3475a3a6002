"""Client idempotency keys: a request sent again with its key gets the first answer, and changes nothing.

A key is the tenant's, whatever the endpoint: the first request sent with it is remembered by a
fingerprint of what it asked, and its answer is kept in the same transaction as its changes. The same key
with another request is refused (`KeyReused`)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from prorata.domain.access.model import Replay
from prorata.domain.ports.ids import IdGenerator
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork

MAX_KEY = 200
Answer = tuple[int, dict[str, Any]]


class KeyReused(Exception):
    """The idempotency key was first used for a different request."""

    code = "idempotency_key_reused"


def fingerprint(request: object) -> str:
    """What identifies a request: the same JSON (keys in any order) gives the same fingerprint."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def replayed(uow: UnitOfWork, tenant_id: str, key: str, fingerprint: str) -> Answer | None:
    """The first answer to the request sent with `key`, None if none was; KeyReused if that request was
    another."""
    found = uow.replays.list(tenant_id, key=key).items
    if not found:
        return None
    if found[0].fingerprint != fingerprint:
        raise KeyReused(f"idempotency key {key!r} was used for a different request")
    return found[0].status, dict(found[0].body)


def remember(
    uow: UnitOfWork, ids: IdGenerator, tenant_id: str, key: str, fingerprint: str, answer: Answer
) -> Answer:
    """Keep `answer` for replays of `key`, with the unit of work's changes (the caller commits). If a
    concurrent request with the key committed first, this one's changes are rolled back and its answer
    returned instead."""
    status, body = answer
    try:
        uow.replays.add(Replay(ids.new(), tenant_id, key, fingerprint, status, body))
    except Conflict:
        uow.rollback()
        earlier = replayed(uow, tenant_id, key, fingerprint)
        assert earlier is not None
        return earlier
    return answer
