from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.entrypoints.api.app import create_app
from tests.api_client import Caller, key_for, new_tenant


@pytest.fixture(scope="session")
def app(components: Components) -> Flask:
    return create_app(components)


@pytest.fixture
def tenant(components: Components) -> str:
    return new_tenant(components)


@pytest.fixture
def manager(app: Flask, components: Components, tenant: str) -> Caller:
    return Caller(app.test_client(), key_for(components, Role.MANAGER, tenant))


@pytest.fixture
def community(manager: Caller) -> dict[str, Any]:
    return manager.created("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
