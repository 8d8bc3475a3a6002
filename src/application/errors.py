"""Errors a use case raises for the entrypoints to map (HTTP 403/404/409, exit code 2)."""

from __future__ import annotations


class NotFound(Exception):
    """Absent, or belonging to another tenant or resident: the caller cannot tell which."""

    code = "not_found"


class Forbidden(Exception):
    code = "forbidden"


class Unauthorized(Exception):
    code = "unauthorized"
