"""What every resource endpoint shares: pagination, ETags and optimistic concurrency."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema
from werkzeug.exceptions import PreconditionFailed

from prorata.domain.ports.repository import Page
from prorata.entrypoints.api.body_parser import BodyParser
from prorata.entrypoints.api.error_messages import STALE

_LAST_OFFSET = 2**62


class ResourceBlueprint(Blueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = BodyParser()
    DEFAULT_PAGINATION_PARAMETERS: ClassVar[dict[str, int]] = {
        "page": 1,
        "page_size": 50,
        "max_page_size": 500,
    }


def window(pagination: PaginationParameters) -> dict[str, int]:
    """The repository's offset and limit for a requested page; an absurd page number finds nothing
    instead of overflowing the database's integers."""
    return {"offset": min(pagination.first_item, _LAST_OFFSET), "limit": pagination.page_size}


def paged(page: Page[Any], pagination: PaginationParameters) -> list[Any]:
    pagination.item_count = page.total
    return page.items


def precondition(schema: Schema, current: object) -> None:
    """When the client sends If-Match, it must match the resource's ETag as GET gave it (else 412)."""
    if request.if_match and not request.if_match.contains(Blueprint._generate_etag(schema.dump(current))):
        raise PreconditionFailed(STALE)
