"""Domain events through the outbox: stored with their change, dispatched after commit, each handler run
once — even when the process that committed died before sending the event on."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from prorata.adapters.passwords import hash_password
from prorata.adapters.sql import tables
from prorata.adapters.sql.unit_of_work import SqlaUnitOfWork
from prorata.application import dropzone
from prorata.application.import_admin import sweep
from prorata.application.settlements import create_settlement
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from prorata.entrypoints.watcher import DropWatcher
from tests import workbooks
from tests.api_client import Caller
from tests.integration.test_job_fencing import FixedClock

COSTS = {
    "service": "heating",
    "period": {"from": "2026-01-01", "to": "2026-03-31"},
    "costs": [{"concept": "Gas", "amount": "100.00"}],
}


def readings_awaiting_costs(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> dict[str, Any]:
    for code in ("1A", "1B"):
        manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "50"})
    rows = [["Piso", "Lectura anterior", "Lectura actual"], ["1A", "0", "30"], ["1B", "0", "10"]]
    content = workbooks.xlsx(tmp_path / "lecturas.xlsx", {"Hoja1": rows}).read_bytes()
    job = manager.upload("/v1/imports", content, "lecturas.xlsx", community_id=community["id"]).get_json()
    drain()
    waiting: dict[str, Any] = manager.get(job["url"]).get_json()
    assert waiting["status"] == "awaiting_costs", waiting
    assert community["code"] in waiting["reason"]
    return waiting


def totals(manager: Caller, job: dict[str, Any]) -> list[str]:
    [settlement] = manager.get(job["url"]).get_json()["settlements"]
    preview = manager.post(f"/v1/settlements/{settlement['id']}/preview").get_json()
    return [r["total"] for r in preview["receipts"]]


def test_readings_awaiting_costs_settle_by_themselves_once_the_costs_arrive(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None], tmp_path: Path
) -> None:
    job = readings_awaiting_costs(manager, community, drain, tmp_path)
    manager.created("/v1/settlements", {"community_id": community["id"], **COSTS})
    drain()
    done = manager.get(job["url"]).get_json()
    assert (done["status"], done["reason"]) == ("settled", None)
    assert totals(manager, job) == ["75.00", "25.00"]


def handled(parts: Components, handler: str, tenant: str) -> int:
    with parts.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count())
                .select_from(tables.handled_events.join(tables.outbox))
                .where(tables.handled_events.c.handler == handler, tables.outbox.c.tenant_id == tenant)
            ).scalar_one()
        )


def test_an_event_whose_relay_died_after_commit_is_handled_once_after_restart(
    components: Components,
    manager: Caller,
    tenant: str,
    community: dict[str, Any],
    drain: Callable[[], None],
    tmp_path: Path,
) -> None:
    job = readings_awaiting_costs(manager, community, drain, tmp_path)
    # The settlement and its event commit, and the process dies before sending the event on.
    with SqlaUnitOfWork(components.engine, published=None) as uow:
        create_settlement(uow, components.ids, Principal(Role.MANAGER, tenant), community["id"], COSTS)
    drain()
    assert manager.get(job["url"]).get_json()["status"] == "awaiting_costs"
    resend = components.settings.resend_seconds
    later = components.clock.now() + timedelta(seconds=resend + 1)
    for _ in range(3):  # restarted: sweepers find the event, and only one sends it
        with components.unit_of_work() as uow:
            sweep(uow, FixedClock(later), components.queue, timedelta(seconds=resend))
    drain()
    done = manager.get(job["url"]).get_json()
    assert (done["status"], done["attempts"]) == ("settled", 2)
    with components.unit_of_work() as uow:  # dispatched: never sent again
        sweep(uow, FixedClock(later + timedelta(days=1)), components.queue, timedelta(seconds=resend))
    drain()
    assert manager.get(job["url"]).get_json()["attempts"] == 2
    assert handled(components, "resume_awaiting_imports", tenant) == 1


class Killed(BaseException):
    """The watcher's process dying at this point."""


@dataclasses.dataclass
class DyingIds:
    """Ids as usual, until the process dies at the n-th one."""

    inner: Any
    dies_at: int
    taken: int = 0

    def new(self) -> str:
        self.taken += 1
        if self.taken == self.dies_at:
            raise Killed
        return str(self.inner.new())

    def many(self, count: int) -> list[str]:
        return [self.new() for _ in range(count)]


def test_a_watcher_killed_between_claim_and_import_leaves_the_file_to_the_next_one(
    components: Components, tenant: str, drain: Callable[[], None], tmp_path: Path
) -> None:
    username = f"w{tmp_path.name[-12:].lower().replace('_', '')}"[:32]
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
    home = components.settings.drop_root / username
    (home / "C0001").mkdir(parents=True)
    dropped = home / "C0001" / "lecturas.xlsx"
    rows = [["Piso", "Lectura anterior", "Lectura actual"], ["1A", "0", "30"], ["1B", "0", "10"]]
    workbooks.xlsx(dropped, {"Hoja1": rows})
    with components.unit_of_work() as uow:  # the folder names a community of the tenant
        from prorata.domain.community.model import Community

        uow.communities.add(Community(components.ids.new(), tenant, "C0001", "CP Uno"))
        uow.commit()
    dying = dataclasses.replace(components, ids=DyingIds(components.ids, dies_at=2))
    with contextlib.suppress(Killed):
        DropWatcher(dying, components.settings.drop_root).consider(dropped)
    DropWatcher(components, components.settings.drop_root).consider(dropped)
    drain()
    with components.unit_of_work() as uow:
        imports = uow.imports.list(tenant).items
    assert [job.status.value for job in imports] == ["awaiting_costs"]
    assert sorted(p.name for p in (home / "processed").iterdir()) == [
        "lecturas.xlsx",
        "lecturas.xlsx.result.json",
    ]
    assert not dropped.exists()


def test_a_dropped_file_awaiting_costs_gets_its_final_outcome_when_they_arrive(
    components: Components, tenant: str, manager: Caller, drain: Callable[[], None], tmp_path: Path
) -> None:
    username = f"a{tmp_path.name[-12:].lower().replace('_', '')}"[:32]
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
    community = manager.created("/v1/communities", {"code": "C0002", "name": "CP Dos"})
    home = components.settings.drop_root / username
    (home / "C0002").mkdir(parents=True)
    dropped = home / "C0002" / "lecturas.xlsx"
    rows = [["Piso", "Lectura anterior", "Lectura actual"], ["1A", "0", "30"], ["1B", "0", "10"]]
    workbooks.xlsx(dropped, {"Hoja1": rows})
    DropWatcher(components, components.settings.drop_root).consider(dropped)
    drain()
    result = home / "processed" / "lecturas.xlsx.result.json"
    assert json.loads(result.read_text())["status"] == "awaiting_costs"
    manager.created("/v1/settlements", {"community_id": community["id"], **COSTS})
    drain()
    assert json.loads(result.read_text())["status"] == "settled"
    assert sorted(p.name for p in (home / "processed").iterdir()) == [
        "lecturas.xlsx",
        "lecturas.xlsx.result.json",
    ]


class DeadBroker:
    def run_import(self, import_id: str) -> None:
        raise ConnectionError("broker unreachable")

    def dispatch_event(self, event_id: str) -> None:
        raise ConnectionError("broker unreachable")


def test_a_change_committed_while_the_broker_is_down_is_answered_as_done(
    components: Components, tenant: str, community: dict[str, Any]
) -> None:
    def lost(event_ids: list[str]) -> None:
        DeadBroker().dispatch_event(event_ids[0])

    with SqlaUnitOfWork(components.engine, published=lost) as broken:
        made = create_settlement(
            broken, components.ids, Principal(Role.MANAGER, tenant), community["id"], COSTS
        )
    with components.unit_of_work() as uow:
        assert uow.settlements.get(tenant, made.id) is not None
        assert uow.outbox.due(components.clock.now() + timedelta(days=1))  # left for the sweeper
