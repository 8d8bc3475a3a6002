"""GET /health: the process is up (and what runs beside the API in it). GET /ready: it can do its work —
the database answers, its schema is at the code's head, the broker answers; 503 naming what failed."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from prorata.adapters.readiness import NotReady, readiness
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
    background = fields.Nested(BackgroundSchema, required=True)


_CHECK = fields.String(required=True, metadata={"description": "ok, failed, or unknown (not checked)"})


class ChecksSchema(Schema):
    database = _CHECK
    migrations = _CHECK
    broker = _CHECK


class ReadySchema(Schema):
    status = fields.String(required=True, metadata={"example": "ready"})
    checks = fields.Nested(ChecksSchema, required=True)


class NotReadyProblemSchema(Schema):
    code = fields.String(
        required=True,
        metadata={"description": "database_unreachable, migrations_pending or broker_unreachable"},
    )
    message = fields.String(required=True)
    check = fields.String(required=True, metadata={"example": "database"})


class NotReadySchema(Schema):
    errors = fields.List(fields.Nested(NotReadyProblemSchema), required=True)
    checks = fields.Nested(ChecksSchema, required=True)


@blp.route("/health")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
def health() -> dict[str, Any]:
    """The process is up; nothing else is asked (see /ready), so a database outage restarts nothing."""
    return {"status": "ok", "background": census()}


@blp.route("/ready")
@blp.doc(security=[])
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=NotReadySchema, description="a check failed: each failure says which and why")
def ready() -> Any:
    parts = components()
    found = readiness(parts.engine, parts.broker)
    if found.failed:
        # A response of its own: the 200 schema would drop `errors`.
        answer = jsonify({"errors": [_problem(f) for f in found.failed], "checks": found.checks})
        answer.status_code = 503
        return answer
    return {"status": "ready", "checks": found.checks}


def _problem(found: NotReady) -> dict[str, str]:
    return {"code": found.code, "message": found.message, "check": found.check}
