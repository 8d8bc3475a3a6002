"""Hostile files dropped into an account's folder, the watcher driven directly (as a completed upload
would make it act): every file ends in processed/ or failed/ with its result, the errors CSV handed back
runs no formula, the watcher never raises, and the next good file imports. On SQLite (`make run`'s) in
`make test`, as the upload corpus is on PostgreSQL: each database takes one corpus; both in `make fuzz`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dramatiq
import pytest

from prorata.adapters.dramatiq_queue import EVENTS, QUEUE
from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community
from prorata.entrypoints.watcher import DropWatcher
from tests.api_client import new_tenant
from tests.hostile.budget import sample
from tests.hostile.harness import DeadLetters, Through, database_of, drain, judge
from tests.hostile.mutations import KINDS, Hostile, good_csv
from tests.hostile.oracles import ENDED, failures, formulas_in_csv

pytestmark = pytest.mark.one_database("sqlite")


@dataclass
class Drop:
    file: Hostile
    path: Path
    raised: str | None = None
    crash: str | None = None
    outcome: Path | None = None
    result: dict[str, Any] | None = None
    handed_back: list[str] = field(default_factory=list)


@dataclass
class Account:
    components: Components
    tenant: str
    home: Path

    def drop(self, folder: str, name: str, content: bytes) -> Path:
        with self.components.unit_of_work() as uow:
            uow.communities.add(Community(self.components.ids.new(), self.tenant, folder, name))
            uow.commit()
        path = self.home / folder / name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        return path

    def watch(self, path: Path) -> str | None:
        try:
            DropWatcher(self.components, self.components.settings.drop_root).consider(path)
        except Exception as error:
            return f"{type(error).__name__}: {error}"[:300]
        return None


@pytest.fixture(scope="module")
def account(components: Components, tmp_path_factory: pytest.TempPathFactory) -> Account:
    tenant = new_tenant(components, "Fincas Buzón")
    username = f"hostil{tmp_path_factory.mktemp('u').name[-8:].lower().replace('_', '')}"[:32]
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
    return Account(components, tenant, components.settings.drop_root / username)


Dropped = Through[Drop]


@pytest.fixture(scope="module")
def dropped(
    account: Account, components: Components, worker: dramatiq.Worker, hostile_files: tuple[Hostile, ...]
) -> Dropped:
    dead = DeadLetters(components)
    # Each file in a folder of its own, named after a community of its own: files never race each other.
    drops = [
        Drop(hostile, account.drop(f"D{number:05d}", hostile.name, hostile.content))
        for number, hostile in enumerate(sample(hostile_files))
    ]
    for drop in drops:
        drop.raised = account.watch(drop.path)
    drain(components, worker)
    crashed = dead.take(QUEUE)
    for drop in drops:
        for folder in ("processed", "failed"):
            if (account.home / folder / drop.file.name).exists():
                drop.outcome = account.home / folder / drop.file.name
        result = account.home / ("processed" if drop.outcome is None else drop.outcome.parent.name)
        result = result / f"{drop.file.name}.result.json"
        if result.exists():
            drop.result = json.loads(result.read_text())
            drop.crash = crashed.get(str(drop.result.get("import_id")))
        errors = result.with_name(f"{drop.file.name}.errors.csv")
        if errors.exists():
            drop.handed_back = failures(lambda: formulas_in_csv(errors))  # noqa: B023
    return Dropped.of(drops, lambda drop: drop.file.kind, dead.take(EVENTS))


@pytest.mark.parametrize("kind", KINDS)
def test_every_dropped_file_ends_beside_its_result(
    dropped: Dropped, kind: str, request: pytest.FixtureRequest, components: Components
) -> None:
    wrong = []
    for drop in dropped.by_kind[kind]:
        if drop.raised:
            wrong.append(f"{drop.file.name}: the watcher raised {drop.raised}")
        if drop.crash:
            wrong.append(f"{drop.file.name}: every attempt of its import raised {drop.crash}")
        if drop.outcome is None or drop.path.exists():
            wrong.append(f"{drop.file.name}: not moved to processed/ or failed/")
        if drop.result is None or drop.result.get("status") not in ENDED:
            wrong.append(f"{drop.file.name}: result {drop.result}")
        elif (drop.result["status"] == "failed") != (
            drop.outcome is not None and drop.outcome.parent.name == "failed"
        ):
            wrong.append(f"{drop.file.name}: {drop.result['status']} but in {drop.outcome}")
    judge(request, wrong, database_of(components))


@pytest.mark.parametrize("kind", KINDS)
def test_the_errors_csv_handed_back_runs_no_formula(
    dropped: Dropped, kind: str, request: pytest.FixtureRequest, components: Components
) -> None:
    wrong = [f"{d.file.name}: {finding}" for d in dropped.by_kind[kind] for finding in d.handed_back]
    judge(request, wrong, database_of(components))


def test_every_event_the_drops_led_to_is_handled(
    dropped: Dropped, request: pytest.FixtureRequest, components: Components
) -> None:
    judge(request, dropped.unhandled_events(), database_of(components))


def test_the_next_good_file_imports_after_the_hostile_ones(
    account: Account, components: Components, worker: dramatiq.Worker, dropped: Dropped
) -> None:
    path = account.drop("GOOD", "lecturas.csv", good_csv("buzón"))
    assert account.watch(path) is None
    drain(components, worker)
    result = json.loads((account.home / "processed" / "lecturas.csv.result.json").read_text())
    assert (result["status"], result["rows"]["accepted"], result["rows"]["rejected"]) == (
        "awaiting_costs",
        9,
        0,
    )
