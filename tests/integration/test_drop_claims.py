"""Each upload of a name is its own claim, import and result: a claimed file is moved out of its upload
name into a hold, so a later upload of the name is another file — and the result written beside a file is
always its own import's. Whoever wrote the file (our SFTP server, OpenSSH, SFTPGo)."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from prorata.adapters import drop_holds
from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community
from prorata.domain.dropzone.model import HOLDS, hold_of
from prorata.entrypoints.watcher import DropWatcher


def _readings(rows: int) -> bytes:
    lines = ["Piso;Lectura anterior;Lectura actual", *(f"{n}A;{n};{n + 5}" for n in range(1, rows + 1))]
    return ("\r\n".join(lines) + "\r\n").encode()


@dataclass
class Account:
    username: str
    home: Path

    def results(self) -> dict[str, dict[str, Any]]:
        """Each result file, by the file beside it (failed/: these files name no community)."""
        folder = self.home / "failed"
        return {
            result.name.removesuffix(".result.json"): json.loads(result.read_text())
            for result in folder.glob("*.result.json")
        }


@pytest.fixture
def account(components: Components, tenant: str) -> Account:
    username = f"c{uuid.uuid4().hex[:12]}"
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
    home = components.settings.drop_root / username
    home.mkdir(parents=True)
    return Account(username, home)


def _watcher(components: Components) -> DropWatcher:
    return DropWatcher(components, components.settings.drop_root, stable_seconds=0)


def _each_result_is_the_import_of_the_file_beside_it(components: Components, account: Account) -> None:
    results = account.results()
    with components.unit_of_work() as uow:
        for beside, result in results.items():
            job = uow.imports.get(None, result["import_id"])
            assert job is not None
            content = (account.home / "failed" / beside).read_bytes()
            assert hashlib.sha256(content).hexdigest() == job.sha256, f"{beside}: another file's result"


def test_a_second_upload_of_a_name_while_the_first_is_imported_is_another_import_with_its_own_result(
    components: Components, account: Account, drain: Callable[[], None]
) -> None:
    dropped = account.home / "lecturas.csv"
    dropped.write_bytes(_readings(2))
    _watcher(components).consider(dropped)  # claimed: its import is queued, not run yet
    dropped.write_bytes(_readings(3))  # the same name again, as OpenSSH or SFTPGo would write it
    _watcher(components).consider(dropped)
    drain()
    results = account.results()
    assert len(results) == 2
    assert len({r["import_id"] for r in results.values()}) == 2
    _each_result_is_the_import_of_the_file_beside_it(components, account)
    assert sorted(p.name for p in account.home.iterdir()) == ["failed"]


def test_two_files_of_one_name_size_and_time_are_two_claims(
    components: Components, account: Account, drain: Callable[[], None]
) -> None:
    """(account, path, size, time) was the claim's key: a second file alike in all four was never taken."""
    dropped = account.home / "lecturas.csv"
    for content in (_readings(2), _readings(2).replace(b"1A;1;6", b"1A;1;7")):
        dropped.write_bytes(content)
        os.utime(dropped, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
        _watcher(components).consider(dropped)
    drain()
    assert len({r["import_id"] for r in account.results().values()}) == 2
    _each_result_is_the_import_of_the_file_beside_it(components, account)


def test_a_file_held_by_a_watcher_that_died_before_committing_is_claimed_by_the_next_rescan(
    components: Components, account: Account, drain: Callable[[], None]
) -> None:
    dropped = account.home / "lecturas.csv"
    dropped.write_bytes(_readings(2))
    info = dropped.stat()
    hold = hold_of(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    drop_holds.hold(components.settings.drop_root, account.username, PurePosixPath("lecturas.csv"), hold)
    watcher = _watcher(components)
    watcher.rescan()
    watcher._settle_stable()
    drain()
    assert list(account.results()) == ["lecturas.csv"]
    _each_result_is_the_import_of_the_file_beside_it(components, account)
    assert not (account.home / HOLDS).exists()  # emptied by the outcome, the hold went


def test_a_file_considered_twice_is_claimed_once(
    components: Components, account: Account, drain: Callable[[], None]
) -> None:
    dropped = account.home / "lecturas.csv"
    dropped.write_bytes(_readings(2))
    first, second = _watcher(components), _watcher(components)
    first.consider(dropped)
    second.consider(dropped)  # gone from its name: held by the first
    second.rescan()
    second._settle_stable()  # and its hold's claim is committed
    drain()
    with components.unit_of_work() as uow:
        assert len(uow.drop_claims.list(None, account_id=_account_id(components, account)).items) == 1


def _account_id(components: Components, account: Account) -> str:
    with components.unit_of_work() as uow:
        found = dropzone.find_account(uow, account.username)
    assert found is not None
    return found.id


def test_the_same_bytes_under_another_name_are_told_as_that_file_of_the_first_import(
    components: Components, account: Account, drain: Callable[[], None]
) -> None:
    """Found trying the demo: `lecturas-root.csv.result.json` said `"file": "readings-heating-es.csv"` —
    the earlier upload whose bytes it repeats — as if it were another file's result."""
    for name in ("lecturas.csv", "lecturas otra vez.csv"):
        dropped = account.home / name
        dropped.write_bytes(_readings(2))
        _watcher(components).consider(dropped)
        drain()
    results = account.results()
    again = results["lecturas otra vez.csv"]
    assert again["file"] == "lecturas otra vez.csv"
    assert again["import_id"] == results["lecturas.csv"]["import_id"]
    assert again["imported_as"] == "lecturas.csv"  # the import it is: the first upload of these bytes
    assert "imported_as" not in results["lecturas.csv"]


def test_bytes_that_failed_at_the_root_put_again_into_their_community_are_two_files_each_told_as_itself(
    components: Components, account: Account, drain: Callable[[], None]
) -> None:
    """Found trying the demo: the sample put at the root failed (no community), put again into `DEMO/` it
    ran that import again and settled — and processed/ then held `readings-heating-es.csv` and
    `readings-heating-es.1.csv` with one result, word for word: both `"file"` the first name, neither
    saying which upload it was, both with the root upload's time."""
    with components.unit_of_work() as uow:
        uow.communities.add(Community(components.ids.new(), _tenant_of(components, account), "C0001", "Uno"))
        uow.commit()
    (account.home / "C0001").mkdir()
    for where in ("lecturas.csv", "C0001/lecturas.csv"):
        dropped = account.home / where
        dropped.write_bytes(_readings(2))
        _watcher(components).consider(dropped)
        drain()
    folder = account.home / "processed"
    results = {
        path.name.removesuffix(".result.json"): json.loads(path.read_text())
        for path in folder.glob("*.result.json")
    }
    assert sorted(results) == ["lecturas.1.csv", "lecturas.csv"]
    assert not list((account.home / "failed").glob("*.result.json"))  # the import ran again: no longer failed
    for beside, result in results.items():
        assert result["file"] == beside  # the file it sits beside
        assert result["status"] == "awaiting_costs"
    first, again = sorted(results.values(), key=lambda r: r["dropped_at"])
    assert (first["dropped"], again["dropped"]) == ("lecturas.csv", "C0001/lecturas.csv")
    assert first["dropped_at"] < again["dropped_at"]
    assert first["import_id"] == again["import_id"]
    assert "imported_as" not in first
    assert again["imported_as"] == "lecturas.csv"  # it repeats the bytes of that upload, whose import it is


def _tenant_of(components: Components, account: Account) -> str:
    with components.unit_of_work() as uow:
        found = dropzone.find_account(uow, account.username)
    assert found is not None
    return found.tenant_id
