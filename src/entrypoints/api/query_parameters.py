"""An unknown query parameter is a 422, as an unknown body field is: `?stauts=paid` must not quietly list
every receipt. The parameters an endpoint takes are those its flask-smorest decorators declare (query
arguments and pagination), as the OpenAPI document shows them. Pages outside /v1 (Swagger UI's assets,
/health, /metrics) take any parameter, e.g. a cache-buster."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from marshmallow import Schema

from prorata.domain.problems import ErrorCode, InvalidInput, Problem

_QUERY = ("query", "querystring")


def refuse_unknown_query_parameters() -> None:
    if not request.path.startswith("/v1/") or not request.args or request.url_rule is None:
        return
    taken = _taken(_view())
    unknown = [name for name in dict.fromkeys(request.args) if name not in taken]
    if not unknown:
        return
    where = f"{request.method} {request.url_rule.rule.replace('<', '{').replace('>', '}')}"
    told = f"it takes {', '.join(sorted(taken))}" if taken else "it takes no query parameters"
    raise InvalidInput(
        [
            Problem(
                ErrorCode.INVALID_REQUEST,
                f"{name} is not a query parameter of {where}: {told} (see /docs)",
                field=name,
            )
            for name in unknown
        ]
    )


def _view() -> Any:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method = "get" if request.method == "HEAD" else request.method.lower()
        return getattr(view_class, method, None)
    return view


def _taken(view: Any) -> set[str]:
    doc = getattr(view, "_apidoc", None) or {}
    declared = [*doc.get("arguments", {}).get("parameters", [])]
    if "pagination" in doc:  # one parameter, not a list of them
        declared.append(doc["pagination"]["parameters"])
    names: set[str] = set()
    for parameter in declared:
        if isinstance(parameter, dict) and parameter.get("in") in _QUERY:
            schema = parameter["schema"]
            loaded = schema() if isinstance(schema, type) else schema
            if isinstance(loaded, Schema):
                names |= {field.data_key or name for name, field in loaded.load_fields.items()}
    return names
