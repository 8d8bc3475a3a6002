"""Table rows of access records (tenants, API keys, replays) and back."""

from __future__ import annotations

from prorata.adapters.sql.rows import Row
from prorata.domain.access.model import ApiKey, Replay, Tenant
from prorata.domain.access.principal import Role


def tenant(row: Row) -> Tenant:
    return Tenant(**row)


def api_key(row: Row) -> ApiKey:
    return ApiKey(**{**row, "role": Role(row["role"])})


def replay(row: Row) -> Replay:
    return Replay(**row)
