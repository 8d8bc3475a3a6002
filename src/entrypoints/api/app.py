"""The Flask application factory."""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, g, request
from marshmallow import Schema

from prorata.application.access import authenticate, key_id_of
from prorata.application.errors import Unauthorized
from prorata.application.json_text import check_json
from prorata.entrypoints.api import (
    access_log,
    bank_returns,
    communities,
    distribution,
    docs_assets,
    health,
    imports,
    keys,
    me,
    metrics,
    notifications,
    readings,
    receipt_events,
    receipt_pdfs,
    receipts,
    remittances,
    residents,
    settlements,
    simulations,
    webhooks,
)
from prorata.entrypoints.api.capped_request import CappedRequest
from prorata.entrypoints.api.context import components
from prorata.entrypoints.api.errors import ProrataApi, invalid, register_domain_errors
from prorata.entrypoints.api.query_parameters import refuse_unknown_query_parameters
from prorata.entrypoints.api.unavailable import register_unavailable

if TYPE_CHECKING:
    from prorata.config.bootstrap import Components

_SURROGATE = re.compile("[\ud800-\udfff]")
BLUEPRINTS = (
    health.blp,
    simulations.blp,
    communities.blp,
    residents.blp,
    keys.blp,
    readings.meters_blp,
    readings.blp,
    settlements.blp,
    distribution.blp,
    receipts.blp,
    receipt_events.blp,
    receipt_pdfs.blp,
    remittances.blp,
    bank_returns.blp,
    me.blp,
    imports.blp,
    imports.admin,
    notifications.blp,
    notifications.admin,
    webhooks.blp,
)


def create_app(parts: Components) -> Flask:
    app = Flask("prorata")
    app.request_class = CappedRequest  # a chunked body over the limit: 413, not cut short
    app.extensions["prorata"] = parts
    app.config.update(
        API_TITLE="prorata",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=docs_assets.URL,
        OPENAPI_SWAGGER_UI_CONFIG=docs_assets.CONFIG,
        API_SPEC_OPTIONS={
            "info": {
                "description": "Shares a community's supplier bills among its dwellings, to the cent. "
                "Besides what each schema says, no text may hold NUL (U+0000): such a request is a 422."
            },
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
        MAX_CONTENT_LENGTH=parts.settings.max_body_bytes,
        JSON_SORT_KEYS=False,
    )
    api = ProrataApi(
        app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)}
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_assets.blp)
    app.register_blueprint(metrics.blp)
    register_domain_errors(app)
    register_unavailable(app)  # the database away: 503, not 500
    access_log.install(app)  # first: it times and logs every request, refused ones too
    app.before_request(_refuse_what_is_not_text)
    app.before_request(_authenticate)
    app.before_request(refuse_unknown_query_parameters)
    return app


def _refuse_what_is_not_text() -> None:
    """No text we keep may hold NUL (PostgreSQL refuses it) or a lone surrogate (no encoder takes it), and
    no JSON body may nest deeper than any request needs (parsing it, or walking it, would exhaust the
    recursion): say so, naming the field, before anything parses the body."""
    uploads = [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    named = [*request.args.items(multi=True), *request.form.items(multi=True), *uploads]
    for name, text in [("(request)", request.path), *named]:
        if "\x00" in text or _SURROGATE.search(text):
            raise invalid("text must not contain NUL characters or lone surrogates", name)
    if request.is_json:
        with contextlib.suppress(ValueError):  # not JSON at all: the view answers that
            check_json(request.get_data(cache=True), "the body", forbid_nul=True)


def _authenticate() -> Any:
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/v1/"):
        return None
    if request.routing_exception is not None:  # no such endpoint or method: say so before asking for a key
        raise request.routing_exception
    scheme, _, key = header.strip().partition(" ")
    if not key and key_id_of(scheme) is not None:
        raise Unauthorized(
            "the Authorization header holds a key but no scheme: send it as Authorization: Bearer <key>"
        )
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send an API key: Authorization: Bearer <key>")
    with components().unit_of_work() as uow:
        found = authenticate(uow, key.strip())
    if found is None:
        raise Unauthorized(
            "this API key is not valid: it is mistyped, cut short or revoked; check the Authorization "
            "header, or ask for a new key (an operator: prorata keys create; a manager, for a resident: "
            "POST /v1/residents/{id}/keys)"
        )
    g.principal = found
    return None


def schema_name(schema: type[Schema] | Schema) -> str:
    """Component names: a partial schema is the resource's Patch, a restricted one its Item."""
    cls = resolve_schema_cls(schema)
    name = (cls[0] if isinstance(cls, list) else cls).__name__.removesuffix("Schema")
    if isinstance(schema, Schema):
        if schema.partial and not name.endswith("Patch"):
            name += "Patch"
        if schema.only:
            name += "Item"
    return name
