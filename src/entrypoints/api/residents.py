"""Residents: owners and occupants, their bank mandate and push address; resident keys."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from prorata.application.access import create_key, fetch, key_id_of, require
from prorata.application.errors import NotFound
from prorata.application.residents import check_mandate, keep_resident
from prorata.domain.access.principal import Action, Principal, Role
from prorata.domain.community.model import Language, Occupancy, OccupancyRole, Resident
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, precondition, window
from prorata.entrypoints.api.schemas import ResidentSchema, TokenSchema, UnitQuerySchema

blp = ResourceBlueprint("residents", __name__, url_prefix="/v1", description="Owners and occupants")


def _values(uow: UnitOfWork, caller: Principal, data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "language" in values:
        values["language"] = Language(values["language"])
    if "occupancies" in values:
        occupancies = []
        for item in values["occupancies"]:
            fetch(uow.units, caller, item["unit_id"], "unit")
            role = OccupancyRole(item.get("role", OccupancyRole.OWNER))  # a PATCH applies no defaults
            occupancies.append(Occupancy(item["unit_id"], role, item.get("since"), item.get("until")))
        values["occupancies"] = tuple(occupancies)
    return values


def _readable(uow: UnitOfWork, caller: Principal, resident_id: str) -> Resident:
    if caller.role is Role.RESIDENT:
        if resident_id != caller.resident_id:
            raise NotFound(f"no resident {resident_id}")
    else:
        require(caller, Action.READ)
    return fetch(uow.residents, caller, resident_id, "resident")


@blp.route("/residents")
class Residents(MethodView):
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, ResidentSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[Resident]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            page = uow.residents.list(caller.tenant_scope, **query, **window(pagination_parameters))
        return paged(page, pagination_parameters)

    @blp.arguments(ResidentSchema)
    @blp.response(201, ResidentSchema)
    def post(self, data: dict[str, Any]) -> Resident:
        caller = principal()
        require(caller, Action.WRITE)
        assert caller.tenant_id is not None
        parts = components()
        with work() as uow:
            resident = Resident(id=parts.ids.new(), tenant_id=caller.tenant_id, **_values(uow, caller, data))
            now = parts.clock.now()
            check_mandate(resident, None, now)
            resident = keep_resident(uow, now.date(), resident, None)
            uow.commit()
        return resident


@blp.route("/residents/<resident_id>")
class ResidentItem(MethodView):
    @blp.etag
    @blp.response(200, ResidentSchema)
    def get(self, resident_id: str) -> Resident:
        with work() as uow:
            return _readable(uow, principal(), resident_id)

    @blp.arguments(ResidentSchema(partial=True))
    @blp.response(200, ResidentSchema)
    def patch(self, data: dict[str, Any], resident_id: str) -> Any:
        caller = principal()
        require(caller, Action.WRITE)
        with work() as uow:
            current = fetch(uow.residents, caller, resident_id, "resident")
            precondition(ResidentSchema(), current)
            changed = replace(current, **_values(uow, caller, data))
            now = components().clock.now()
            check_mandate(changed, current, now)
            changed = keep_resident(uow, now.date(), changed, current)
            uow.commit()
        return changed

    @blp.response(204)
    def delete(self, resident_id: str) -> Any:
        caller = principal()
        require(caller, Action.DELETE)
        with work() as uow:
            current = fetch(uow.residents, caller, resident_id, "resident")
            precondition(ResidentSchema(), current)
            uow.residents.delete(current)
            uow.commit()
        return None


@blp.route("/residents/<resident_id>/keys", methods=["POST"])
@blp.response(201, TokenSchema)
def create_resident_key(resident_id: str) -> dict[str, str | None]:
    """A key for the resident's app: it reaches only the receipts of the units the resident held, for the
    periods held. Shown once; listed (without it) and revoked under /v1/keys."""
    caller = principal()
    require(caller, Action.ISSUE_KEYS)
    parts = components()
    with work() as uow:
        resident = fetch(uow.residents, caller, resident_id, "resident")
        key = create_key(uow, parts.ids, parts.clock, Role.RESIDENT, resident.tenant_id, resident.id)
    return {"id": key_id_of(key), "key": key}
