"""Communities and their units."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from prorata.application.access import fetch, require
from prorata.domain.access.principal import Action
from prorata.domain.community.model import Community, CommunityUnit, UnitKind, next_position
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, precondition, window
from prorata.entrypoints.api.schemas import CommunitySchema, UnitSchema

blp = ResourceBlueprint("communities", __name__, url_prefix="/v1", description="Communities and their units")


@blp.route("/communities")
class Communities(MethodView):
    @blp.response(200, CommunitySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> list[Community]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            page = uow.communities.list(caller.tenant_scope, **window(pagination_parameters))
        return paged(page, pagination_parameters)

    @blp.arguments(CommunitySchema)
    @blp.response(201, CommunitySchema)
    def post(self, data: dict[str, Any]) -> Community:
        caller = principal()
        require(caller, Action.WRITE)
        assert caller.tenant_id is not None
        parts = components()
        community = Community(id=parts.ids.new(), tenant_id=caller.tenant_id, **data)
        with work() as uow:
            uow.communities.add(community)
            uow.commit()
        return community


@blp.route("/communities/<community_id>")
class CommunityItem(MethodView):
    @blp.etag
    @blp.response(200, CommunitySchema)
    def get(self, community_id: str) -> Community:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            return fetch(uow.communities, caller, community_id, "community")

    @blp.arguments(CommunitySchema(partial=True))
    @blp.response(200, CommunitySchema)
    def patch(self, data: dict[str, Any], community_id: str) -> Any:
        caller = principal()
        require(caller, Action.WRITE)
        with work() as uow:
            current = fetch(uow.communities, caller, community_id, "community")
            precondition(CommunitySchema(), current)
            changed = replace(current, **data)
            uow.communities.update(changed)
            uow.commit()
        return changed

    @blp.response(204)
    def delete(self, community_id: str) -> Any:
        caller = principal()
        require(caller, Action.DELETE)
        with work() as uow:
            current = fetch(uow.communities, caller, community_id, "community")
            precondition(CommunitySchema(), current)
            uow.communities.delete(current)
            uow.commit()
        return None


@blp.route("/communities/<community_id>/units")
class CommunityUnits(MethodView):
    @blp.response(200, UnitSchema(many=True))
    @blp.paginate()
    def get(self, community_id: str, pagination_parameters: PaginationParameters) -> list[CommunityUnit]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            fetch(uow.communities, caller, community_id, "community")
            page = uow.units.list(
                caller.tenant_scope, community_id=community_id, **window(pagination_parameters)
            )
        return paged(page, pagination_parameters)

    @blp.arguments(UnitSchema)
    @blp.response(201, UnitSchema)
    def post(self, data: dict[str, Any], community_id: str) -> CommunityUnit:
        caller = principal()
        require(caller, Action.WRITE)
        parts = components()
        with work() as uow:
            community = fetch(uow.communities, caller, community_id, "community")
            unit = CommunityUnit(
                id=parts.ids.new(),
                tenant_id=community.tenant_id,
                community_id=community.id,
                **{**data, "kind": UnitKind(data["kind"])},
                position=next_position(uow.units.list(community.tenant_id, community_id=community.id).items),
            )
            uow.units.add(unit)
            uow.commit()
        return unit


@blp.route("/units/<unit_id>")
class UnitItem(MethodView):
    @blp.etag
    @blp.response(200, UnitSchema)
    def get(self, unit_id: str) -> CommunityUnit:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            return fetch(uow.units, caller, unit_id, "unit")

    @blp.arguments(UnitSchema(partial=True))
    @blp.response(200, UnitSchema)
    def patch(self, data: dict[str, Any], unit_id: str) -> Any:
        caller = principal()
        require(caller, Action.WRITE)
        with work() as uow:
            current = fetch(uow.units, caller, unit_id, "unit")
            precondition(UnitSchema(), current)
            if "kind" in data:
                data["kind"] = UnitKind(data["kind"])
            changed = replace(current, **data)
            uow.units.update(changed)
            uow.commit()
        return changed

    @blp.response(204)
    def delete(self, unit_id: str) -> Any:
        caller = principal()
        require(caller, Action.DELETE)
        with work() as uow:
            current = fetch(uow.units, caller, unit_id, "unit")
            precondition(UnitSchema(), current)
            uow.units.delete(current)
            uow.commit()
        return None
