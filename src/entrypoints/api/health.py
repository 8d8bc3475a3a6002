"""GET /health: the process answers and its database too, and what runs beside the API in this process."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from prorata.entrypoints.api.context import components
from prorata.entrypoints.background import census

blp = Blueprint("health", __name__, description="Liveness and readiness")


class BackgroundSchema(Schema):
    """Counted from the live threads of the process that answered."""

    workers = fields.Integer(required=True, metadata={"description": "Import worker threads.", "example": 2})
    sweepers = fields.Integer(required=True, metadata={"example": 1})
    sftp = fields.Integer(required=True, metadata={"description": "SFTP drop-zone servers.", "example": 0})
    watchers = fields.Integer(required=True, metadata={"description": "Drop-zone watchers.", "example": 0})


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(required=True, metadata={"example": "ok"})
    background = fields.Nested(BackgroundSchema, required=True)


@blp.route("/health")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
def health() -> dict[str, Any]:
    with components().unit_of_work() as uow:
        uow.tenants.list(None, limit=1)
    return {"status": "ok", "database": "ok", "background": census()}
