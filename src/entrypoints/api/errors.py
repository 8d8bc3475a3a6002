"""One error body for every failure: {"errors": [{"code", "message", ...}]}. No stack trace leaks."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_smorest import Api
from marshmallow import Schema
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from prorata.application.contract_result import errors_json
from prorata.application.errors import Forbidden, NotFound, Unauthorized
from prorata.application.idempotency import KeyReused
from prorata.application.notification_admin import NotificationsOff
from prorata.domain.community.meter_history import AlreadyReplaced
from prorata.domain.notifications.model import NotRequeuable
from prorata.domain.ports.repository import Conflict, InUse, Missing
from prorata.domain.problems import ErrorCode, InvalidInput, Problem
from prorata.domain.receipts.lifecycle import InvalidEvent, InvalidTransition
from prorata.domain.settlement.stored import AlreadyPublished
from prorata.domain.webhooks.addresses import RefusedUrl
from prorata.entrypoints.api.body_parser import BODY, SEND_JSON
from prorata.entrypoints.api.error_messages import (
    UNKNOWN_FIELD,
    accepted_fields,
    body_reference,
    field_message,
    in_use,
    not_found,
    stock,
)
from prorata.entrypoints.api.schemas import ErrorsSchema

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    428: "precondition_required",
    429: "too_many_requests",
}


def body(code: str, message: str, **where: Any) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, **where}]}


def invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput([Problem(ErrorCode.INVALID_REQUEST, message, field=field)])


class ProrataApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with prorata's error body, documented and produced alike."""

    ERROR_SCHEMA = ErrorsSchema

    def handle_http_exception(self, error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        headers = data.get("headers") or {}
        messages = data.get("messages") or data.get("errors")
        if status == 422 and isinstance(messages, dict):
            return {"errors": list(_flatten(messages, data.get("schema")))}, 422, headers
        if status >= 500:
            return body("internal_error", "the server failed; the failure is logged"), status, headers
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}
        message = data.get("message") or stock(error)
        return body(_CODES.get(status, error.name.lower().replace(" ", "_")), str(message)), status, headers


def _flatten(
    messages: dict[Any, Any], schema: Schema | None, prefix: str = "", at: tuple[Any, ...] = ()
) -> Any:
    """marshmallow's messages as our problems, one per message, each at its field's path (`at`: the keys
    from the body's root, by which an unknown field's object is found in `schema`)."""
    for key, value in messages.items():
        if key in ("json", "query", "querystring", "headers", "files", "form") and not prefix:
            yield from _flatten(value, schema, "")
            continue
        path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
        if isinstance(value, dict):
            yield from _flatten(value, schema, path, (*at, key))
        else:
            for message in value if isinstance(value, list) else [value]:
                text = message if isinstance(message, str) else str(message)
                if path == "_schema" and text == "Invalid input type.":
                    yield {
                        "code": "invalid_request",
                        "message": f"the body must be a JSON object; {SEND_JSON}",
                        "field": BODY,
                    }
                    continue
                allowed = accepted_fields(schema, at) if text == UNKNOWN_FIELD else None
                text = field_message(text) + (f" (allowed: {', '.join(allowed)})" if allowed else "")
                yield {"code": "invalid_request", "message": f"{path} {text}", "field": path}


def register_domain_errors(app: Flask) -> None:
    def invalid(error: InvalidInput) -> tuple[dict[str, Any], int]:
        return errors_json(error.problems), 422

    def simple(status: int) -> Any:
        def handler(error: Exception) -> tuple[dict[str, Any], int]:
            return body(getattr(error, "code", _CODES[status]), str(error)), status

        return handler

    def unexpected(error: Exception) -> tuple[dict[str, Any], int]:
        log.exception("unhandled error", exc_info=error)
        return body("internal_error", "the server failed; the failure is logged"), 500

    app.register_error_handler(InvalidInput, invalid)
    app.register_error_handler(Unauthorized, _unauthorized)
    app.register_error_handler(Forbidden, simple(403))
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(Missing, _not_found)
    app.register_error_handler(Conflict, simple(409))
    app.register_error_handler(InUse, _in_use)
    app.register_error_handler(AlreadyPublished, simple(409))
    app.register_error_handler(AlreadyReplaced, simple(409))
    app.register_error_handler(KeyReused, simple(422))
    app.register_error_handler(InvalidTransition, _invalid_transition)
    app.register_error_handler(InvalidEvent, _invalid_event)
    app.register_error_handler(NotRequeuable, simple(409))
    app.register_error_handler(NotificationsOff, simple(409))
    app.register_error_handler(RefusedUrl, _refused_url)
    app.register_error_handler(Exception, unexpected)


def _not_found(error: Exception) -> tuple[dict[str, Any], int]:
    code, message = getattr(error, "code", "not_found"), str(error)
    hinted = not_found(message)
    referenced = body_reference(message) if hinted == message else None
    if referenced is not None:
        field, hinted = referenced
        return body(code, hinted, field=field), 404
    return body(code, hinted), 404


def _unauthorized(error: Unauthorized) -> tuple[dict[str, Any], int, dict[str, str]]:
    return body("unauthorized", str(error)), 401, {"WWW-Authenticate": 'Bearer realm="prorata"'}


def _invalid_transition(error: InvalidTransition) -> tuple[dict[str, Any], int]:
    """The one error body that also says at its top what it is and the receipt's current status, as the
    receipt contract has it (`{"code": "invalid_transition", "status": …}`), beside the usual `errors`."""
    status = error.status.value
    return {"code": error.code, "message": str(error), "status": status} | body(
        error.code, str(error), status=status
    ), 409


def _in_use(error: InUse) -> tuple[dict[str, Any], int]:
    referred_by = {r.kinds: r.count for r in error.references}
    return body("conflict", in_use(error), referred_by=referred_by), 409


def _invalid_event(error: InvalidEvent) -> tuple[dict[str, Any], int]:
    return body("invalid_request", str(error), field=error.field), 422


def _refused_url(error: RefusedUrl) -> tuple[dict[str, Any], int]:
    return body(error.code, str(error), field="url"), 422
