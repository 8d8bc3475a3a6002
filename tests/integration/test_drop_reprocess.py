"""The drop zone follows an import's latest outcome: support reprocesses a dropped file that failed (the
demo's printed step: its community), and the file, with a fresh result, goes from failed/ to processed/ —
no stale result or row errors left in failed/, no other upload of the name replaced, the same files
however often the outcome is told, and again at every later outcome."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.domain.events import ImportEnded
from prorata.entrypoints.watcher import DropWatcher
from tests.api_client import Caller, key_for

# No community column: dropped at the account's root it names no community and fails.
READINGS = b"Piso;Lectura anterior;Lectura actual\r\n1A;0;30\r\n1B;0;10\r\n"
BAD_ROW = READINGS + b"1C;0;treinta\r\n"


@pytest.fixture
def home(components: Components, tenant: str) -> Path:
    username = f"r{uuid.uuid4().hex[:12]}"
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
    folder = components.settings.drop_root / username
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def support(app: Flask, components: Components) -> Caller:
    return Caller(app.test_client(), key_for(components, Role.SUPPORT))


def drop(components: Components, home: Path, relative: str, content: bytes) -> None:
    dropped = home / relative
    dropped.parent.mkdir(parents=True, exist_ok=True)
    dropped.write_bytes(content)
    DropWatcher(components, components.settings.drop_root, stable_seconds=0).consider(dropped)


def handed_back(home: Path) -> dict[str, dict[str, Any]]:
    """Every file in processed/ and failed/ — `folder/name` — with its result and whether row errors are
    beside it; a result or errors file with no file beside it is listed too."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(home.glob("*ed/*")):
        name = path.name.removesuffix(".result.json").removesuffix(".errors.csv")
        entry = found.setdefault(f"{path.parent.name}/{name}", {"errors": False})
        if path.name.endswith(".result.json"):
            entry["result"] = json.loads(path.read_text())
        elif path.name.endswith(".errors.csv"):
            entry["errors"] = True
        else:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def statuses(home: Path) -> dict[str, str]:
    return {where: entry["result"]["status"] for where, entry in handed_back(home).items()}


def each_result_is_its_files(components: Components, home: Path) -> None:
    with components.unit_of_work() as uow:
        for where, entry in handed_back(home).items():
            job = uow.imports.get(None, entry["result"]["import_id"])
            assert job is not None, f"{where}: {entry}"
            assert entry.get("sha256") == job.sha256, f"{where}: another file's result, or none: {entry}"
            assert entry["result"]["status"] == job.status.value, f"{where}: not its import's latest"


def reprocess(support: Caller, import_id: str, community: dict[str, Any]) -> None:
    answer = support.post(f"/v1/admin/imports/{import_id}/reprocess", {"community_id": community["id"]})
    assert answer.status_code == 202, answer.get_json()


def tell_again(components: Components, import_id: str, tenant: str) -> None:
    """The import's end delivered once more (dramatiq delivers at least once), to the real handler."""
    with components.unit_of_work() as uow:
        job = uow.imports.get(None, import_id)
        assert job is not None
        event = ImportEnded(tenant, import_id, job.status.value)
        dropzone.report_ended_import(uow, components.services.drop_outcomes, event)
        uow.commit()


def test_a_failed_dropped_file_reprocessed_by_support_moves_to_processed_with_its_new_result(
    components: Components,
    home: Path,
    tenant: str,
    manager: Caller,
    support: Caller,
    community: dict[str, Any],
    drain: Callable[[], None],
) -> None:
    drop(components, home, "lecturas.csv", BAD_ROW)
    drain()
    assert statuses(home) == {"failed/lecturas.csv": "failed"}
    assert handed_back(home)["failed/lecturas.csv"]["errors"]
    first = handed_back(home)["failed/lecturas.csv"]["result"]
    import_id = first["import_id"]
    again = support.post(f"/v1/admin/imports/{import_id}/reprocess", {})  # no community yet: fails again
    assert again.status_code == 202, again.get_json()
    drain()
    assert statuses(home) == {"failed/lecturas.csv": "failed"}
    assert handed_back(home)["failed/lecturas.csv"]["result"]["finished_at"] != first["finished_at"]

    reprocess(support, import_id, community)
    drain()
    assert statuses(home) == {"processed/lecturas.csv": "awaiting_costs"}
    assert handed_back(home)["processed/lecturas.csv"]["errors"]  # its refused row, told afresh
    each_result_is_its_files(components, home)
    tell_again(components, import_id, tenant)
    tell_again(components, import_id, tenant)
    assert statuses(home) == {"processed/lecturas.csv": "awaiting_costs"}

    manager.created(
        "/v1/settlements",
        {
            "community_id": community["id"],
            "service": "other",
            "period": {"from": "2025-01-01", "to": "2025-12-31"},
            "costs": [{"concept": "Gas", "amount": "100.00"}],
        },
    )
    drain()  # the import awaiting costs settles with them
    assert statuses(home) == {"processed/lecturas.csv": "settled"}
    each_result_is_its_files(components, home)


def test_each_reprocess_of_a_dropped_file_rewrites_its_result_and_never_takes_another_files_name(
    components: Components,
    home: Path,
    tenant: str,
    support: Caller,
    community: dict[str, Any],
    drain: Callable[[], None],
) -> None:
    drop(components, home, "lecturas.csv", READINGS)  # at the root: fails, naming no community
    drain()
    first = handed_back(home)["failed/lecturas.csv"]["result"]
    drop(components, home, f"{community['code']}/lecturas.csv", BAD_ROW)  # another file of the name
    drain()
    assert statuses(home) == {"failed/lecturas.csv": "failed", "processed/lecturas.csv": "awaiting_costs"}

    reprocess(support, first["import_id"], community)
    drain()
    assert statuses(home) == {
        "processed/lecturas.csv": "awaiting_costs",
        "processed/lecturas.1.csv": "awaiting_costs",
    }
    each_result_is_its_files(components, home)
    assert not handed_back(home)["processed/lecturas.1.csv"]["errors"]
    assert handed_back(home)["processed/lecturas.csv"]["errors"]  # the other file's, left as it was

    for _ in range(2):  # once more: the same file, its result rewritten in place
        before = handed_back(home)["processed/lecturas.1.csv"]["result"]["finished_at"]
        reprocess(support, first["import_id"], community)
        drain()
        tell_again(components, first["import_id"], tenant)
        moved = handed_back(home)
        assert sorted(moved) == ["processed/lecturas.1.csv", "processed/lecturas.csv"]
        assert moved["processed/lecturas.1.csv"]["result"]["finished_at"] != before
        each_result_is_its_files(components, home)
