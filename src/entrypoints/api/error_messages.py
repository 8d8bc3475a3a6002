"""What an error says when the framework or the database would say it in its own words: what was wrong,
and what to do."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from marshmallow import Schema, fields
from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    NotFound,
    PreconditionFailed,
    RequestEntityTooLarge,
)

from prorata.domain.ports.repository import InUse

UNKNOWN_FIELD = "Unknown field."
# marshmallow's sentences, as a field's message goes on after its name.
FIELD_MESSAGES = {
    "Missing data for required field.": "is required",
    UNKNOWN_FIELD: "is not a field of this object",
    "Field may not be null.": "may not be null",
    "Not a valid date.": "is not a valid date (YYYY-MM-DD, e.g. 2026-03-31)",
    "Not a valid datetime.": "is not a valid date and time (ISO 8601, e.g. 2026-03-31T09:30:00Z)",
}


def field_message(text: str) -> str:
    """marshmallow's message about a field, to follow the field's name: `units[0].area is required`."""
    if text in FIELD_MESSAGES:
        return FIELD_MESSAGES[text]
    if text.startswith("Not a valid "):
        return f"is n{text[1:].rstrip('.')}"
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def accepted_fields(schema: Schema | None, keys: tuple[Any, ...]) -> list[str] | None:
    """The fields a body's object at `keys` (names and list positions from the body's root) takes, by
    the names a client sends; None where the schema does not say (a dict of free keys, say)."""
    for key in keys:
        if schema is None:
            return None
        if isinstance(key, int):
            continue
        field = next((f for n, f in schema.fields.items() if (f.data_key or n) == key), None)
        while isinstance(field, fields.List):
            field = field.inner
        schema = field.schema if isinstance(field, fields.Nested) else None
    if schema is None:
        return None
    return sorted(f.data_key or name for name, f in schema.fields.items() if not f.dump_only)


DOCS = "see /docs (or /openapi.json) for the endpoints and what each takes"
STALE = (
    "the resource changed since you read it (If-Match): GET it again for its current ETag, apply your "
    "change to what it holds now, and send that ETag in If-Match"
)
# What frees a record from references the API can remove; other kinds are kept for the record.
_REMOVE_FIRST = {
    "units": "delete its units first (DELETE /v1/units/{id})",
    "residents": "first take it out of the units each resident holds (PATCH /v1/residents/{id} with "
    "the units they keep)",
    "meters": "delete its meters first (DELETE /v1/meters/{id}; a meter that has readings stays, with "
    "its history)",
}


def stock(error: HTTPException) -> str:
    """The message of an HTTP error: its own when one was given, ours instead of Werkzeug's stock one."""
    if error.description and error.description != type(error).description:
        return error.description
    where = f"{request.method} {request.path[:200]}"
    if isinstance(error, NotFound):
        return f"{where} is not an endpoint of this API; {DOCS}"
    if isinstance(error, MethodNotAllowed):
        allowed = [m for m in error.valid_methods or () if m not in ("HEAD", "OPTIONS")]
        return f"{request.path[:200]} takes {', '.join(sorted(allowed))}, not {request.method}; {DOCS}"
    if isinstance(error, PreconditionFailed):
        return STALE
    if isinstance(error, RequestEntityTooLarge):
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return (
            f"the request body is larger than the {limit} bytes this server takes: send a smaller file "
            "(split it by community or period), or have the operator raise PRORATA_MAX_BODY_BYTES"
        )
    return f"{where}: {error.name.lower()}; {DOCS}"


def not_found(message: str) -> str:
    """A record the path names is not there: say how to list the ids there are (they are opaque, given
    by the API), when the path's stem up to that id is a listing."""
    rule, args = request.url_rule, request.view_args or {}
    if rule is None:
        return message
    for name, value in args.items():
        placeholder = rule.rule.find(f"<{name}>")
        if placeholder < 0 or not message.endswith(f" {value}"):
            continue
        stem = rule.rule[:placeholder].rstrip("/")
        for other, given in args.items():
            stem = stem.replace(f"<{other}>", str(given))
        if _lists(stem):
            return f"{message}: ids are the ones this API gave; GET {stem} lists those you may see"
    return message


def body_reference(message: str) -> tuple[str, str] | None:
    """(field, message) when the record not there is one a JSON body's `…_id` field names (another
    tenant's, or none at all): the field, and how to list the ids there are."""
    given = request.get_json(silent=True) if request.is_json else None
    if not isinstance(given, dict):
        return None
    for name, value in given.items():
        if not (name.endswith("_id") and isinstance(value, str) and value and message.endswith(f" {value}")):
            continue
        stem = name.removesuffix("_id")
        for listing in (f"/v1/{stem}s", f"/v1/{stem[:-1]}ies" if stem.endswith("y") else None):
            if listing is not None and _lists(listing):
                return (
                    name,
                    f"{message}: ids are the ones this API gave; GET {listing} lists those you may see",
                )
    return None


def _lists(path: str) -> bool:
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:  # no route, another method, or a redirect
        return False
    return True


def in_use(error: InUse) -> str:
    """Which records keep the record, and what frees it."""
    steps = [_REMOVE_FIRST[r.kinds] for r in error.references if r.kinds in _REMOVE_FIRST]
    kept = [r.kinds for r in error.references if r.kinds not in _REMOVE_FIRST]
    text = f"{error}."
    if sum(r.count for r in error.references) == 1:
        text = text.replace(" refer to it.", " refers to it.")
    if steps:
        text += " To delete it, " + "; and ".join(steps) + "."
    if kept:
        text += f" {_joined(kept).capitalize()} are kept for the record, so a {error.record} with them stays."
    return text


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
