"""Reading a request's body for flask-smorest, with errors a person can act on.

webargs, left alone, reads a body sent without `Content-Type: application/json` as no body at all (so
`curl -d '{…}'` gets "code Missing data for required field.") and answers malformed JSON with Werkzeug's
"The browser (or proxy) sent a request that this server could not understand."."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import flask
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from prorata.domain.problems import ErrorCode, InvalidInput, Problem

BODY = "(body)"
# A file field's metadata may name an example file for the error saying the file is missing.
EXAMPLE_FILE = "x-example-file"
SEND_JSON = "send one JSON object with the header Content-Type: application/json"


def not_json(error: json.JSONDecodeError | UnicodeDecodeError) -> str:
    """What is wrong with a body that does not parse as JSON, and where."""
    if isinstance(error, UnicodeDecodeError) or error.msg.startswith("Bytes decoding error"):
        return f"the body is not valid JSON: it is not UTF-8 text; {SEND_JSON}"
    return f"the body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}); {SEND_JSON}"


def sent_as(mimetype: str) -> str:
    return f"as {mimetype}" if mimetype else "without a Content-Type"


def _required(schema: Schema) -> list[str]:
    """The fields a body must hold (none for a PATCH's partial schema)."""
    if schema.partial is True:
        return []
    optional = set(schema.partial or ())
    return [
        f.data_key or name
        for name, f in schema.fields.items()
        if f.required and not f.dump_only and name not in optional
    ]


class BodyParser(FlaskParser):
    """A JSON body sent as another type is a 415 naming the type; an absent body where fields are
    required says so; malformed JSON names the parser's complaint and its line and column."""

    def load_json(self, req: flask.Request, schema: Schema) -> Any:
        if not core.is_json(req.mimetype):
            # A form's body is read into `form` and `files` as soon as anything looks at them.
            if req.content_length or req.get_data(cache=True) or req.form or req.files:
                raise UnsupportedMediaType(
                    f"the body came {sent_as(req.mimetype)}, which this endpoint does not take: "
                    f"{SEND_JSON} (curl: -H 'Content-Type: application/json' -d '{{…}}')"
                )
            loaded: Any = core.missing
        else:
            loaded = super().load_json(req, schema)
        if loaded is core.missing and _required(schema):
            fields = ", ".join(_required(schema))
            raise InvalidInput(
                [
                    Problem(
                        ErrorCode.INVALID_REQUEST,
                        f"the request has no body: {SEND_JSON}, holding at least {fields}",
                        field=BODY,
                    )
                ]
            )
        return loaded

    def load_files(self, req: flask.Request, schema: Schema) -> Any:
        examples = {f.data_key or n: f.metadata.get(EXAMPLE_FILE) for n, f in schema.fields.items()}
        missing = [name for name in _required(schema) if name not in req.files]
        if missing:
            sent = (
                "" if req.mimetype == "multipart/form-data" else f" (it came as {req.mimetype or 'no body'})"
            )
            raise InvalidInput(
                [
                    Problem(
                        ErrorCode.INVALID_REQUEST,
                        f"{name} is required: send the file as multipart/form-data{sent}, "
                        f"e.g. curl -F {name}=@{examples.get(name) or 'readings.xlsx'}",
                        field=name,
                    )
                    for name in missing
                ]
            )
        return super().load_files(req, schema)

    def _handle_invalid_json_error(
        self, error: json.JSONDecodeError | UnicodeDecodeError, req: flask.Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        raise BadRequest(not_json(error))
