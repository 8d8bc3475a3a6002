"""What the load test reads and writes: a community whose units each have an owner with a resident key
and a published receipt (its PDF rendered once beforehand, as residents open their receipts after the
push), and managers' files to upload, each different. `mixed_plan` draws the requests (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.entrypoints.api.app import create_app
from tests.api_client import Caller, key_for, new_tenant
from tests.load import Kind, Send
from tests.production_files import community_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Reader:
    key: str
    receipt_id: str


@dataclass(frozen=True)
class LoadWorld:
    manager_key: str
    readers: list[Reader]


def load_world(parts: Components, api_base: str, residents: int) -> LoadWorld:
    """Built in-process (it is setup, not load); the PDFs rendered through the API."""
    tenant = new_tenant(parts, "Fincas Carga")
    manager_key = key_for(parts, Role.MANAGER, tenant)
    manager = Caller(create_app(parts).test_client(), manager_key)
    community = manager.created("/v1/communities", {"code": "L0001", "name": "CP Carga"})
    units = [
        manager.created(f"/v1/communities/{community['id']}/units", {"code": f"{n}", "coefficient": "1"})
        for n in range(1, residents + 1)
    ]
    people = [
        manager.created(
            "/v1/residents",
            {
                "name": f"Vecina {unit['code']}",
                "units": [{"unit_id": unit["id"], "role": "owner", "since": "2020-01-01"}],
            },
        )
        for unit in units
    ]
    terms = {
        "community_id": community["id"],
        "service": "other",
        "period": {"from": "2026-01-01", "to": "2026-03-31"},
        "consumption_share": "0",
        "costs": [{"concept": "Limpieza", "amount": f"{residents * 30}.00"}],
    }
    settlement = manager.created("/v1/settlements", terms)
    readers = []
    published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
    assert published.status_code == 201, published.get_json()
    for person in people:
        key = manager.post(f"/v1/residents/{person['id']}/keys").get_json()["key"]
        [receipt] = Caller(manager.client, key).get("/v1/me/receipts").get_json()
        readers.append(Reader(key, receipt["id"]))
    with httpx.Client(base_url=api_base, timeout=60) as client:
        for reader in readers:
            answer = client.get(f"/v1/me/receipts/{reader.receipt_id}/pdf", headers=_bearer(reader.key))
            assert answer.status_code == 200, answer.text
    return LoadWorld(manager_key, readers)


def mixed_plan(world: LoadWorld, requests: int, uploads_share: float = 0.2, seed: int = 7) -> list[Kind]:
    """Residents reading their receipts (the list, one receipt, its PDF) and managers uploading files
    (each new: 202), in a seeded random order."""
    rng = random.Random(seed)
    plan = []
    uploads = 0
    for _ in range(requests):
        if rng.random() < uploads_share:
            uploads += 1
            content = community_workbook(f"U{uploads:05d}", 3)
            plan.append(Kind("upload", world.manager_key, _upload(content, f"lecturas-{uploads}.xlsx"), 202))
            continue
        reader = rng.choice(world.readers)
        path = rng.choice(["/v1/me/receipts", f"/v1/me/receipts/{reader.receipt_id}",
                           f"/v1/me/receipts/{reader.receipt_id}/pdf"])  # fmt: skip
        plan.append(Kind(f"GET {_shape(path)}", reader.key, _get(path)))
    return plan


def _shape(path: str) -> str:
    return "/".join("{id}" if len(part) > 30 else part for part in path.split("/"))


def _get(path: str) -> Send:
    return lambda client: client.get(path)


def _upload(content: bytes, name: str) -> Send:
    return lambda client: client.post("/v1/imports", files={"file": (name, content, XLSX)})


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
