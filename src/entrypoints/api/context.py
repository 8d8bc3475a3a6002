"""Per-request access to the composition root's components and the authenticated caller."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import current_app, g

from prorata.application.errors import Unauthorized
from prorata.domain.access.principal import Principal
from prorata.domain.ports.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from prorata.config.bootstrap import Components


def components() -> Components:
    return cast("Components", current_app.extensions["prorata"])


def principal() -> Principal:
    found = g.get("principal")
    if found is None:
        raise Unauthorized("send an API key: Authorization: Bearer <key>")
    return cast(Principal, found)


def work() -> UnitOfWork:
    """A unit of work for the caller: bound to the caller's tenant, so that a view that forgets a check
    still cannot read or write another tenant's records (support's reaches every tenant)."""
    return components().unit_of_work_for(principal())
