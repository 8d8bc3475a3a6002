"""The tenant's API and resident keys: listed (never their secrets) and revoked by a manager."""

from __future__ import annotations

from typing import Any

from flask_smorest.pagination import PaginationParameters

from prorata.application.access import list_keys, require, revoke_key
from prorata.domain.access.model import ApiKey
from prorata.domain.access.principal import Action
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window
from prorata.entrypoints.api.schemas import KeyQuerySchema, KeySchema

blp = ResourceBlueprint("keys", __name__, url_prefix="/v1", description="API and resident keys")


@blp.route("/keys", methods=["GET"])
@blp.arguments(KeyQuerySchema, location="query")
@blp.response(200, KeySchema(many=True))
@blp.paginate()
def get_keys(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[ApiKey]:
    """The tenant's keys, revoked ones included, oldest first."""
    caller = principal()
    require(caller, Action.ISSUE_KEYS)
    with work() as uow:
        page = list_keys(uow, caller.tenant_scope, **query, **window(pagination_parameters))
    return paged(page, pagination_parameters)


@blp.route("/keys/<key_id>", methods=["DELETE"])
@blp.response(204)
def delete_key(key_id: str) -> None:
    """Revoke the key: it is refused (401) from the next request on."""
    caller = principal()
    require(caller, Action.ISSUE_KEYS)
    with work() as uow:
        revoke_key(uow, components().clock, caller.tenant_scope, key_id)
