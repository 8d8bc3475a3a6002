"""Who may call what: role × endpoint × own or other tenant × own or other resident, from one table.

Every route of the API must have a row here: a new endpoint without one fails the suite. On SQLite in
`make test` — it runs wherever the suite does, PostgreSQL or not — (1,192 calls on both: 40 s of CPU, a
tenth of the suite); on PostgreSQL too with PRORATA_EVERY_DATABASE=1. The repositories' tenant binding is
tested on both databases in test_tenant_bound_unit_of_work.py."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.domain.collection.rules import earliest_collection
from prorata.domain.imports.model import ImportJob, ImportSource
from prorata.domain.ports.unit_of_work import UnitOfWork
from tests.api_client import Caller, key_for, new_tenant
from tests.bank_files import camt054
from tests.integration.notification_world import dispatched, events_of

READ, WRITE, DELETE, PUBLISH, SIMULATE, KEYS, RECEIPTS, RESIDENT_READ, PUBLIC, SUPPORT = (
    "read",
    "write",
    "delete",
    "publish",
    "simulate",
    "keys",
    "receipts",
    "resident_read",
    "public",
    "support_only",
)
pytestmark = pytest.mark.one_database("sqlite")
ME = "me"  # a resident's own: /v1/me
ALLOWED = {
    READ: {Role.MANAGER, Role.INTEGRATION, Role.SUPPORT},
    WRITE: {Role.MANAGER, Role.INTEGRATION},
    DELETE: {Role.MANAGER},
    PUBLISH: {Role.MANAGER, Role.INTEGRATION},
    SIMULATE: {Role.MANAGER, Role.INTEGRATION, Role.SUPPORT},
    KEYS: {Role.MANAGER},
    RECEIPTS: {Role.MANAGER, Role.INTEGRATION, Role.SUPPORT, Role.RESIDENT},
    RESIDENT_READ: {Role.MANAGER, Role.INTEGRATION, Role.SUPPORT, Role.RESIDENT},
    PUBLIC: set(Role),
    SUPPORT: {Role.SUPPORT},
    ME: {Role.RESIDENT},
}
SIMULATION = {
    "costs": [{"concept": "F", "amount": "1.00"}],
    "units": [{"unit": "A", "readings": [{"consumption": "1"}]}],
}


def unique() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class Row:
    method: str
    rule: str
    kind: str
    success: int
    body: Callable[[dict[str, str]], Any] | None = None
    scoped: bool = True  # names a record, so another tenant's gets a 404
    target: dict[str, str] | None = None  # placeholders filled from other records of the world
    other_tenant: int = 404  # what another tenant's record gets
    upload: bool = False  # a multipart file upload; `body` gives its form fields
    content: Callable[[], bytes] | None = None  # the uploaded file (else a CSV of readings)
    headers: dict[str, str] | None = None


TABLE = [
    Row("GET", "/health", PUBLIC, 200, scoped=False),
    Row("GET", "/ready", PUBLIC, 200, scoped=False),
    Row("GET", "/metrics", PUBLIC, 200, scoped=False),
    Row("POST", "/v1/simulations", SIMULATE, 200, lambda w: SIMULATION, scoped=False),
    Row("GET", "/v1/communities", READ, 200, scoped=False),
    Row("POST", "/v1/communities", WRITE, 201, lambda w: {"code": unique(), "name": "Nueva"}, scoped=False),
    Row("GET", "/v1/communities/<community_id>", READ, 200),
    Row("PATCH", "/v1/communities/<community_id>", WRITE, 200, lambda w: {"name": "Renamed"}),
    Row("DELETE", "/v1/communities/<community_id>", DELETE, 204, target={"community_id": "empty_community"}),
    Row("GET", "/v1/communities/<community_id>/units", READ, 200),
    Row(
        "POST",
        "/v1/communities/<community_id>/units",
        WRITE,
        201,
        lambda w: {"code": unique(), "coefficient": "1"},
    ),
    Row("GET", "/v1/units/<unit_id>", READ, 200),
    Row("PATCH", "/v1/units/<unit_id>", WRITE, 200, lambda w: {"area": "99"}),
    Row("DELETE", "/v1/units/<unit_id>", DELETE, 204, target={"unit_id": "empty_unit"}),
    Row("GET", "/v1/residents", READ, 200, scoped=False),
    Row(
        "POST",
        "/v1/residents",
        WRITE,
        201,
        lambda w: {"name": "Nuevo Vecino", "units": [{"unit_id": w["unit_id"]}]},
    ),
    Row("GET", "/v1/residents/<resident_id>", RESIDENT_READ, 200),
    Row("PATCH", "/v1/residents/<resident_id>", WRITE, 200, lambda w: {"language": "ca"}),
    Row("DELETE", "/v1/residents/<resident_id>", DELETE, 204),
    Row("POST", "/v1/residents/<resident_id>/keys", KEYS, 201),
    Row("GET", "/v1/keys", KEYS, 200, scoped=False),
    Row("DELETE", "/v1/keys/<key_id>", KEYS, 204),
    Row("GET", "/v1/meters", READ, 200, scoped=False),
    Row(
        "POST",
        "/v1/meters",
        WRITE,
        201,
        lambda w: {"unit_id": w["unit_id"], "serial": unique(), "service": "gas"},
    ),
    Row("GET", "/v1/meters/<meter_id>", READ, 200),
    Row("PATCH", "/v1/meters/<meter_id>", WRITE, 200, lambda w: {"factor": "2"}),
    Row("DELETE", "/v1/meters/<meter_id>", DELETE, 204, target={"meter_id": "empty_meter"}),
    Row(
        "POST",
        "/v1/meters/<meter_id>/replacement",
        WRITE,
        201,
        lambda w: {
            "date": "2026-02-01",
            "final_reading": "1",
            "new_serial": unique(),
            "initial_reading": "0",
        },
    ),
    Row("GET", "/v1/readings", READ, 200, scoped=False),
    Row("GET", "/v1/readings/<reading_id>", READ, 200),
    Row("PUT", "/v1/readings/<reading_id>", WRITE, 200, lambda w: {"value": "2", "reason": "misread"}),
    # Another tenant's meter in a batch is an invalid item, reported with its field like any other.
    Row(
        "POST",
        "/v1/readings",
        WRITE,
        201,
        lambda w: {"readings": [{"meter_id": w["meter_id"], "date": "2026-12-31", "value": "300"}]},
        other_tenant=422,
    ),
    Row("GET", "/v1/settlements", READ, 200, scoped=False),
    Row(
        "POST",
        "/v1/settlements",
        WRITE,
        201,
        lambda w: {
            "community_id": w["community_id"],
            "service": "gas",
            "period": {"from": "2026-01-01", "to": "2026-12-31"},
            "costs": [{"concept": "Gas", "amount": "10.00", "consumption_share": "0"}],
        },
    ),
    Row("GET", "/v1/settlements/<settlement_id>", READ, 200),
    Row("POST", "/v1/settlements/<settlement_id>/preview", READ, 200),
    Row("POST", "/v1/settlements/<settlement_id>/publish", PUBLISH, 201),
    Row("GET", "/v1/settlements/<settlement_id>/distribution.xlsx", READ, 200),
    Row("GET", "/v1/settlements/<settlement_id>/distribution.pdf", READ, 200),
    Row("GET", "/v1/receipts", RECEIPTS, 200, scoped=False),
    Row("GET", "/v1/receipts/<receipt_id>", RECEIPTS, 200),
    Row("GET", "/v1/receipts/<receipt_id>/events", RECEIPTS, 200),
    Row("GET", "/v1/receipts/<receipt_id>/pdf", RECEIPTS, 200),
    Row(
        "POST",
        "/v1/receipts/<receipt_id>/events",
        WRITE,
        201,
        lambda w: {"type": "paid", "on": datetime.now(UTC).date().isoformat()},
    ),
    Row("GET", "/v1/me", ME, 200, scoped=False),
    Row("GET", "/v1/me/receipts", ME, 200, scoped=False),
    Row("GET", "/v1/me/receipts/<receipt_id>", ME, 200),
    Row("GET", "/v1/me/receipts/<receipt_id>/pdf", ME, 200),
    Row("GET", "/v1/me/readings", ME, 200, scoped=False),
    Row("GET", "/v1/imports", READ, 200, scoped=False),
    Row("POST", "/v1/imports", WRITE, 202, lambda w: {"community_id": w["community_id"]}, upload=True),
    Row("GET", "/v1/imports/<import_id>", READ, 200),
    Row(
        "POST",
        "/v1/imports/<import_id>/retry",
        WRITE,
        202,
        lambda w: {"community_id": w["community_id"]},
        target={"import_id": "failed_import"},
    ),
    Row("GET", "/v1/imports/<import_id>/errors", READ, 200),
    Row("GET", "/v1/imports/<import_id>/errors.xlsx", READ, 200),
    Row("GET", "/v1/imports/<import_id>/file", READ, 200),
    Row("GET", "/v1/mapping-profiles", READ, 200, scoped=False),
    Row(
        "POST",
        "/v1/mapping-profiles",
        WRITE,
        201,
        lambda w: {"name": unique(), "mapping": {"unit": "Piso"}},
        scoped=False,
    ),
    Row(
        "POST",
        "/v1/communities/<community_id>/remittances",
        WRITE,
        201,
        lambda w: {"collection_date": collection_day(), "receipt_ids": [w["receipt_id"]]},
        headers={"Idempotency-Key": "matrix-remittance"},  # sent again, the first answer: repeatable
    ),
    Row("GET", "/v1/remittances", READ, 200, scoped=False),
    Row("GET", "/v1/remittances/<remittance_id>", READ, 200),
    Row("GET", "/v1/remittances/<remittance_id>/pain.008.xml", READ, 200),
    Row("POST", "/v1/remittances/<remittance_id>/cancel", WRITE, 200),
    Row("GET", "/v1/bank-returns", READ, 200, scoped=False),
    Row("POST", "/v1/bank-returns", WRITE, 201, upload=True, scoped=False, content=lambda: bank_file()),
    Row("GET", "/v1/bank-returns/<bank_return_id>", READ, 200),
    Row("GET", "/v1/admin/imports", SUPPORT, 200, scoped=False),
    Row("POST", "/v1/admin/imports/<import_id>/reprocess", SUPPORT, 202, lambda w: {}),
    Row("POST", "/v1/admin/imports/<import_id>/cancel", SUPPORT, 200),
    Row("GET", "/v1/notifications", READ, 200, scoped=False),
    Row("GET", "/v1/me/notifications", ME, 200, scoped=False),
    # Support gets past the role check to the rule: no OneSignal configured here, nothing can be sent.
    Row("POST", "/v1/admin/notifications/<notification_id>/requeue", SUPPORT, 409),
    Row("GET", "/v1/webhooks", READ, 200, scoped=False),
    Row(
        "POST",
        "/v1/webhooks",
        WRITE,
        201,
        lambda w: {"url": "https://hooks.example.org/matrix", "events": ["receipt.superseded"]},
        scoped=False,
    ),
    Row("GET", "/v1/webhooks/<webhook_id>", READ, 200),
    Row("DELETE", "/v1/webhooks/<webhook_id>", WRITE, 204),
    Row("GET", "/v1/webhooks/<webhook_id>/deliveries", READ, 200),
]


def build_world(caller: Caller) -> dict[str, str]:
    """A community with two units (each with a resident, the first with a key), a meter read twice, a
    published settlement with receipts, and a draft one."""
    creditor = {"iban": "ES9121000418450200051332", "creditor_id": "ES97000B12345678"}
    community = caller.created("/v1/communities", {"code": "M1", "name": "CP Mayor 1", **creditor})["id"]
    units = [
        caller.created(f"/v1/communities/{community}/units", {"code": c, "coefficient": "1"})["id"]
        for c in ("1A", "1B")
    ]
    mandate = {"iban": "ES7421000000610123456789", "mandate_signed_on": "2024-05-01"}
    residents = [
        caller.created(
            "/v1/residents",
            {
                "name": f"Vecino {i}",
                "units": [{"unit_id": u}],
                "mandate_id": f"M-{i}",
                "external_id": f"vecino-{i}",  # told of its receipts
                **mandate,
            },
        )["id"]
        for i, u in enumerate(units)
    ]
    key = caller.created(f"/v1/residents/{residents[0]}/keys", None)["id"]
    meter = caller.created("/v1/meters", {"unit_id": units[0], "serial": "H-1", "service": "heating"})["id"]
    reading = caller.created(
        "/v1/readings", {"readings": [{"meter_id": meter, "date": "2026-01-01", "value": "1"}]}
    )["created"][0]["id"]
    empty_meter = caller.created(
        "/v1/meters", {"unit_id": units[1], "serial": "W-1", "service": "cold_water"}
    )["id"]
    terms = {
        "community_id": community,
        "service": "heating",
        "period": {"from": "2026-01-01", "to": "2026-03-31"},
        "consumption_share": "0",
        "costs": [{"concept": "Heat", "amount": "10.00"}],
    }
    published = caller.created("/v1/settlements", terms)["id"]
    receipts = caller.created(f"/v1/settlements/{published}/publish", None)["receipts"]
    draft = caller.created("/v1/settlements", terms)["id"]
    remittance = caller.created(
        f"/v1/communities/{community}/remittances",
        {"collection_date": collection_day(), "receipt_ids": [receipts[1]["id"]]},
    )["id"]
    bank_return = caller.upload("/v1/bank-returns", bank_file(), "camt054.xml").get_json()["id"]
    empty_community = caller.created("/v1/communities", {"code": "EMPTY", "name": "Sin unidades"})["id"]
    # Subscribed to what never happens here: a delivery to a host that does not resolve is retried for a
    # day, and its delayed retries would keep every later test's drain waiting.
    hook = {"url": "https://hooks.example.org/w", "events": ["receipt.superseded"]}
    webhook = caller.created("/v1/webhooks", hook)
    upload = caller.upload("/v1/imports", f"Piso;Lectura\n1A;{unique()}\n".encode(), "lecturas.csv")
    assert upload.status_code == 202, upload.get_json()
    empty_unit = caller.created(f"/v1/communities/{community}/units", {"code": "EMPTY", "coefficient": "1"})[
        "id"
    ]
    return {
        "community_id": community,
        "unit_id": units[1],
        "resident_id": residents[0],
        "meter_id": meter,
        "key_id": key,
        "settlement_id": draft,
        "receipt_id": receipts[0]["id"],
        "other_resident_id": residents[1],
        "other_receipt_id": receipts[1]["id"],
        "empty_community": empty_community,
        "empty_unit": empty_unit,
        "reading_id": reading,
        "empty_meter": empty_meter,
        "import_id": upload.get_json()["id"],
        "remittance_id": remittance,
        "bank_return_id": bank_return,
        "webhook_id": webhook["id"],
    }


def collection_day() -> str:
    return earliest_collection(datetime.now(UTC).date(), None).isoformat()


def bank_file() -> bytes:
    """A bank's notification of nothing yet, a new one each time."""
    return camt054("02", [], message=unique())


def two_worlds(app: Flask, components: Components) -> dict[str, Any]:
    """Two tenants with the same data; the callers below belong to the first."""
    made: dict[str, Any] = {}
    for name in ("own", "other"):
        tenant = new_tenant(components, name)
        made[name] = build_world(Caller(app.test_client(), key_for(components, Role.MANAGER, tenant)))
        made[name]["failed_import"] = failed_import(components, tenant)
        made[name]["notification_id"] = a_notification(components, tenant)
        made[f"{name}_tenant"] = tenant
    return made


def a_notification(components: Components, tenant: str) -> str:
    """A notification of the world's receipts, made as the relay makes them (recorded only here)."""
    for id, _ in events_of(components, tenant):
        dispatched(components, components.outlets, components.clock, id)
    with components.unit_of_work() as uow:
        return uow.notifications.list(tenant, limit=1).items[0].id


def failed_import(components: Components, tenant: str) -> str:
    """An import that failed, and no worker will touch: what a retry is for."""
    now = components.clock.now()
    job = ImportJob(components.ids.new(), tenant, ImportSource.UPLOAD, "x.csv", uuid.uuid4().hex * 2, 1, now)
    with components.unit_of_work() as uow:
        uow.imports.add(job.fail("for the matrix", now)[0])
        uow.commit()
    return job.id


@pytest.fixture(scope="module")
def shared_worlds(app: Flask, components: Components) -> dict[str, Any]:
    """For calls that leave the records usable by the next call."""
    return two_worlds(app, components)


@pytest.fixture
def worlds(app: Flask, components: Components) -> dict[str, Any]:
    """For calls that use records up (delete, publish): fresh ones each time."""
    return two_worlds(app, components)


def caller_for(app: Flask, components: Components, role: Role, worlds: dict[str, Any]) -> Caller:
    tenant = None if role is Role.SUPPORT else worlds["own_tenant"]
    resident = worlds["own"]["resident_id"] if role is Role.RESIDENT else None
    return Caller(app.test_client(), key_for(components, role, tenant, resident))


def path_for(row: Row, world: dict[str, str]) -> str:
    path = row.rule
    for name, source in (row.target or {}).items():
        path = path.replace(f"<{name}>", world[source])
    for name, value in world.items():
        path = path.replace(f"<{name}>", value)
    return path


def expected(row: Row, role: Role, whose: str) -> int:
    if role not in ALLOWED[row.kind]:
        return 403
    if whose == "other_resident":
        return 404 if role is Role.RESIDENT else row.success
    if role is Role.RESIDENT and row.scoped and whose == "other":
        return 404
    if role is Role.SUPPORT or whose == "own" or not row.scoped:
        return row.success
    return row.other_tenant


# replaced once; a retry runs it; a receipt paid is paid
USES_RECORDS_UP = ("/publish", "/cancel", "/replacement", "/retry", "/events")
REPEATABLE = ("/v1/remittances/<remittance_id>/cancel",)  # cancelled again: the same answer


def cases(destructive: bool) -> list[Any]:
    return [
        pytest.param(row, role, whose, id=f"{row.method} {row.rule} {role.value} {whose}")
        for row in TABLE
        if (
            row.method == "DELETE"
            or (row.method == "POST" and row.rule.endswith(USES_RECORDS_UP) and row.rule not in REPEATABLE)
        )
        == destructive
        for role in Role
        for whose in (("own", "other", "other_resident") if row.scoped else ("own",))
        if whose != "other_resident" or row.kind in (RECEIPTS, RESIDENT_READ, ME)
    ]


@pytest.mark.parametrize(("row", "role", "whose"), cases(destructive=False))
def test_authorization(
    app: Flask, components: Components, shared_worlds: dict[str, Any], row: Row, role: Role, whose: str
) -> None:
    check(app, components, shared_worlds, row, role, whose)


class TestCallsThatUseRecordsUp:
    """A class of its own: xdist's loadscope runs it on another worker than the module's functions (the
    matrix is the suite's longest module: 185 s on one worker before)."""

    @pytest.mark.parametrize(("row", "role", "whose"), cases(destructive=True))
    def test_authorization_of_calls_that_use_records_up(
        self,
        app: Flask,
        components: Components,
        request: pytest.FixtureRequest,
        row: Row,
        role: Role,
        whose: str,
    ) -> None:
        # A call refused for the role uses nothing up: the shared records serve (a refused call that did
        # change them would fail the calls after it). Fresh records cost 0.3 s a call: 3 of 4 here are 403.
        fresh = expected(row, role, whose) != 403
        worlds = request.getfixturevalue("worlds" if fresh else "shared_worlds")
        check(app, components, worlds, row, role, whose)


def check(
    app: Flask, components: Components, worlds: dict[str, Any], row: Row, role: Role, whose: str
) -> None:
    world = dict(worlds["other" if whose == "other" else "own"])
    if whose == "other_resident":
        world["resident_id"], world["receipt_id"] = world["other_resident_id"], world["other_receipt_id"]
    caller = caller_for(app, components, role, worlds)
    if row.kind == PUBLIC:
        caller = Caller(app.test_client(), None)
    body = row.body(world) if row.body else None
    if row.upload:
        content = row.content() if row.content else f"Piso;Lectura\n1A;{unique()}\n".encode()
        response = caller.upload(path_for(row, world), content, "l.csv", **(body or {}))
    else:
        response = caller.call(row.method, path_for(row, world), json=body, headers=row.headers)
    assert response.status_code == expected(row, role, whose), response.get_json()


WRITES = ("POST", "PATCH", "PUT", "DELETE")


def cross_tenant_writes() -> list[Any]:
    """Every write route of the table, as a manager and, where it may write there, an integration."""
    return [
        pytest.param(row, role, id=f"{row.method} {row.rule} {role.value}")
        for row in TABLE
        if row.method in WRITES
        for role in (Role.MANAGER, Role.INTEGRATION)
        if role is Role.MANAGER or role in ALLOWED[row.kind]
    ]


@pytest.mark.parametrize(("row", "role"), cross_tenant_writes())
def test_a_write_naming_another_tenants_records_leaves_them_as_they_were(
    app: Flask, components: Components, shared_worlds: dict[str, Any], row: Row, role: Role
) -> None:
    other = shared_worlds["other_tenant"]
    before = records_of(components, other)
    check(app, components, shared_worlds, row, role, "other")
    assert records_of(components, other) == before


def records_of(components: Components, tenant: str) -> dict[str, list[Any]]:
    """All the tenant keeps (and its own tenant record), read through every repository of the port."""
    repositories = [
        n for n, kind in UnitOfWork.__annotations__.items() if str(kind).startswith("Repository[")
    ]
    with components.unit_of_work() as uow:
        return {
            name: [
                item
                for item in getattr(uow, name).list(tenant).items
                if getattr(item, "tenant_id", item.id) == tenant
            ]
            for name in repositories
        }


def test_every_call_needs_a_valid_key(app: Flask) -> None:
    client = app.test_client()
    for row in TABLE:
        if row.kind == PUBLIC:
            continue
        path = row.rule.replace("<", "").replace(">", "")
        assert client.open(path, method=row.method).status_code == 401
        bad = client.open(path, method=row.method, headers={"Authorization": "Bearer prk_0000_nope"})
        assert bad.status_code == 401


def test_lists_show_only_the_callers_tenant(
    app: Flask, components: Components, worlds: dict[str, Any]
) -> None:
    manager = caller_for(app, components, Role.MANAGER, worlds)
    support = caller_for(app, components, Role.SUPPORT, worlds)
    for path in ("/v1/communities", "/v1/residents", "/v1/meters", "/v1/settlements", "/v1/receipts"):
        own = {item["id"] for item in manager.get(f"{path}?page_size=500").get_json()}
        assert not own & {worlds["other"][k] for k in worlds["other"]}, path
        other = manager_of_other(app, components, worlds).get(f"{path}?page_size=500").get_json()
        total = json.loads(support.get(f"{path}?page_size=1").headers["X-Pagination"])["total"]
        assert total >= len(own) + len(other) > len(own), path


def manager_of_other(app: Flask, components: Components, worlds: dict[str, Any]) -> Caller:
    return Caller(app.test_client(), key_for(components, Role.MANAGER, worlds["other_tenant"]))


def test_every_route_has_a_row(app: Flask) -> None:
    documented = {(row.method, row.rule) for row in TABLE}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static",) or rule.endpoint.startswith("api-docs"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert (method, rule.rule) in documented, (
                f"{method} {rule.rule} has no row in the authorization table"
            )
