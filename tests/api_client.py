"""A small client over Flask's test client that speaks as one API key."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from prorata.application.access import create_key, create_tenant
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role


@dataclass
class Caller:
    client: FlaskClient
    key: str | None

    def call(
        self, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> TestResponse:
        sent = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        return self.client.open(path, method=method, json=json, headers={**sent, **(headers or {})})

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.call("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.call("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.call("PATCH", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> TestResponse:
        return self.call("DELETE", path, **kw)

    def upload(self, path: str, content: bytes, name: str, **form: str) -> TestResponse:
        data: dict[str, Any] = {"file": (io.BytesIO(content), name), **form}
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        return self.client.post(path, data=data, headers=headers, content_type="multipart/form-data")

    def created(self, path: str, json: Any) -> dict[str, Any]:
        response = self.post(path, json)
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body


def new_tenant(components: Components, name: str = "Fincas Test") -> str:
    with components.unit_of_work() as uow:
        return create_tenant(uow, components.ids, name).id


def key_for(
    components: Components, role: Role, tenant: str | None = None, resident: str | None = None
) -> str:
    with components.unit_of_work() as uow:
        return create_key(uow, components.ids, components.clock, role, tenant, resident)
