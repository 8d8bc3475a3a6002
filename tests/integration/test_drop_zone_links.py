"""The drop zone never follows a symbolic link: OpenSSH's and SFTPGo's users can create them, pointing
anywhere the watcher's user can read or write. A link in an account's folder — the dropped file, a folder
on its path, processed/ or failed/, a result file, the account's folder itself — is refused and reported,
and nothing is read or written through it."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from prorata.adapters.drop_folders import open_dropped
from prorata.adapters.local_drop_outcomes import LocalDropOutcomes
from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community
from prorata.domain.dropzone.model import HOLDS
from prorata.domain.problems import ErrorCode, Problem
from prorata.entrypoints import watcher as watcher_module
from prorata.entrypoints.watcher import DropWatcher
from tests import workbooks
from tests.api_client import Caller

READINGS = [["Piso", "Lectura anterior", "Lectura actual"], ["1A", "0", "30"], ["1B", "0", "10"]]
SECRET = b"Piso;Lectura anterior;Lectura actual\n1A;0;999\n1B;0;999\n"  # would import, if followed
NOT_A_SPREADSHEET = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"  # refused at the claim


@dataclass
class Account:
    username: str
    home: Path
    outside: Path  # a folder the account must never reach

    def drop(self, relative: str, content: bytes | None = None) -> Path:
        path = self.home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            workbooks.xlsx(path, {"Hoja1": READINGS})
        else:
            path.write_bytes(content)
        return path


@pytest.fixture
def account(components: Components, tenant: str, tmp_path: Path) -> Account:
    username = f"l{uuid.uuid4().hex[:12]}"
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
        uow.communities.add(Community(components.ids.new(), tenant, "C0001", "CP Uno"))
        uow.commit()
    home = components.settings.drop_root / username
    home.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    return Account(username, home, outside)


def consider(components: Components, path: Path) -> None:
    DropWatcher(components, components.settings.drop_root).consider(path)


def imported(components: Components, tenant: str) -> list[Any]:
    with components.unit_of_work() as uow:
        return list(uow.imports.list(tenant).items)


def claims(components: Components, tenant: str) -> list[tuple[str, str, str | None]]:
    with components.unit_of_work() as uow:
        found = uow.drop_claims.list(tenant).items
    return [(c.path, c.state.value, c.outcome) for c in found]


def everything_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def result_of(path: Path) -> dict[str, Any]:
    assert not path.is_symlink(), path
    found: dict[str, Any] = json.loads(path.read_text())
    return found


# --- processed/ and failed/ being links -------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "content"),
    [("processed", None), ("failed", NOT_A_SPREADSHEET)],  # each file would end in that folder
    ids=["processed", "failed"],
)
def test_an_outcome_folder_linked_outside_gets_nothing_and_the_file_is_refused(
    components: Components,
    tenant: str,
    account: Account,
    drain: Callable[[], None],
    caplog: pytest.LogCaptureFixture,
    folder: str,
    content: bytes | None,
) -> None:
    (account.home / folder).symlink_to(account.outside, target_is_directory=True)
    dropped = account.drop("C0001/lecturas.xlsx", content)
    with caplog.at_level(logging.WARNING):
        consider(components, dropped)
        drain()
    assert everything_in(account.outside) == []
    assert imported(components, tenant) == []
    [(path, state, why)] = claims(components, tenant)
    assert (path, state) == ("C0001/lecturas.xlsx", "reported")
    assert why is not None
    assert f"{folder} is a symbolic link" in why
    if folder == "processed":  # failed/ is safe: the refusal is told there, the file beside it
        told = result_of(account.home / "failed" / "lecturas.xlsx.result.json")
        assert told["status"] == "failed"
        assert "processed is a symbolic link" in told["reason"]
        assert (account.home / "failed" / "lecturas.xlsx").is_file()
    else:  # nowhere safe to tell: the operator's log, and the file stays where it was
        assert dropped.is_file()
        assert any("failed is a symbolic link" in r.getMessage() for r in caplog.records)


def test_an_outcome_folder_linked_while_the_file_is_imported_gets_nothing(
    components: Components, tenant: str, account: Account, drain: Callable[[], None]
) -> None:
    dropped = account.drop("C0001/lecturas.xlsx")
    consider(components, dropped)  # claimed; its outcome is written when the import ends
    (account.home / "processed").symlink_to(account.outside, target_is_directory=True)
    drain()
    assert everything_in(account.outside) == []
    # The file stays in the account: claimed, it was moved out of its upload name into its hold.
    assert list((account.home / HOLDS).glob("*/C0001/lecturas.xlsx"))
    assert [job.status.value for job in imported(components, tenant)] == ["awaiting_costs"]
    [(_, state, why)] = claims(components, tenant)
    assert state == "reported"
    assert why is not None
    assert "processed is a symbolic link" in why


# --- result files being links -----------------------------------------------------------------------


def test_a_result_file_linked_outside_is_replaced_and_its_target_left_untouched(
    components: Components, tenant: str, account: Account, drain: Callable[[], None]
) -> None:
    victim = account.outside / "victim.json"
    victim.write_text("precious\n")
    (account.home / "failed").mkdir()
    (account.home / "failed" / "lecturas.csv.result.json").symlink_to(victim)
    consider(components, account.drop("lecturas.csv", NOT_A_SPREADSHEET))
    drain()
    assert victim.read_text() == "precious\n"
    told = result_of(account.home / "failed" / "lecturas.csv.result.json")
    assert (told["file"], told["status"]) == ("lecturas.csv", "failed")
    assert (account.home / "failed" / "lecturas.csv").read_bytes() == NOT_A_SPREADSHEET


def problem() -> Problem:
    return Problem(ErrorCode.INVALID_NUMBER, "not a number", row=3, column="Lectura actual")


@pytest.mark.parametrize("which", ["result.json", "errors.csv"])
def test_outcomes_written_over_linked_result_files_leave_the_targets_untouched(
    tmp_path: Path, which: str
) -> None:
    root, outside = tmp_path / "dropzone", tmp_path / "outside"
    (root / "acme" / "processed").mkdir(parents=True)
    outside.mkdir()
    (root / "acme" / "lecturas.csv").write_text("Piso;Lectura\n")
    victim = outside / "victim"
    victim.write_text("precious\n")
    (root / "acme" / "processed" / f"lecturas.csv.{which}").symlink_to(victim)
    result: dict[str, object] = {"file": "lecturas.csv", "status": "settled"}
    LocalDropOutcomes(root).write("acme", "lecturas.csv", "processed", result, [problem()])
    assert victim.read_text() == "precious\n"
    written = root / "acme" / "processed" / f"lecturas.csv.{which}"
    assert written.is_file()
    assert not written.is_symlink()
    assert ("settled" if which == "result.json" else "invalid_number") in written.read_text()
    assert sorted(p.name for p in (root / "acme" / "processed").iterdir()) == [
        "lecturas.csv",
        "lecturas.csv.errors.csv",
        "lecturas.csv.result.json",
    ]


@pytest.mark.parametrize("folder", ["processed", "failed"])
def test_outcomes_are_never_written_into_a_linked_folder(tmp_path: Path, folder: str) -> None:
    root, outside = tmp_path / "dropzone", tmp_path / "outside"
    (root / "acme").mkdir(parents=True)
    outside.mkdir()
    (root / "acme" / "lecturas.csv").write_text("Piso;Lectura\n")
    (root / "acme" / folder).symlink_to(outside, target_is_directory=True)
    result: dict[str, object] = {"file": "lecturas.csv", "status": "failed"}
    with pytest.raises(Exception, match=f"{folder} is a symbolic link"):
        LocalDropOutcomes(root).write("acme", "lecturas.csv", folder, result, [problem()])
    assert everything_in(outside) == []
    assert (root / "acme" / "lecturas.csv").is_file()


def test_a_file_is_never_moved_through_a_linked_folder(tmp_path: Path) -> None:
    root, outside = tmp_path / "dropzone", tmp_path / "outside"
    (root / "acme").mkdir(parents=True)
    outside.mkdir()
    (outside / "lecturas.csv").write_text("someone else's\n")
    (root / "acme" / "C0001").symlink_to(outside, target_is_directory=True)
    result: dict[str, object] = {"file": "lecturas.csv", "status": "failed"}
    LocalDropOutcomes(root).write("acme", "C0001/lecturas.csv", "failed", result, [])
    assert (outside / "lecturas.csv").read_text() == "someone else's\n"
    assert sorted(p.name for p in (root / "acme" / "failed").iterdir()) == ["lecturas.csv.result.json"]


# --- the dropped file, or a folder on its path, being a link ----------------------------------------


def test_a_dropped_file_that_is_a_link_is_refused_and_nothing_imported(
    components: Components, tenant: str, account: Account, drain: Callable[[], None]
) -> None:
    secret = account.outside / "secret.csv"
    secret.write_bytes(SECRET)
    link = account.home / "lecturas.csv"
    link.symlink_to(secret)
    consider(components, link)
    drain()
    assert imported(components, tenant) == []
    told = result_of(account.home / "failed" / "lecturas.csv.result.json")
    assert told["status"] == "failed"
    assert "lecturas.csv is a symbolic link" in told["reason"]
    assert str(account.outside) not in json.dumps(told)  # never where it points
    assert secret.read_bytes() == SECRET
    assert link.is_symlink()  # left where it was, neither followed nor moved
    consider(components, link)  # seen again: told once
    assert len(claims(components, tenant)) == 1


def test_a_file_under_a_linked_folder_is_refused_and_stays_where_it_is(
    components: Components, tenant: str, account: Account, drain: Callable[[], None]
) -> None:
    elsewhere = account.outside / "elsewhere"
    elsewhere.mkdir()
    workbooks.xlsx(elsewhere / "lecturas.xlsx", {"Hoja1": READINGS})
    (account.home / "C0001").symlink_to(elsewhere, target_is_directory=True)
    consider(components, account.home / "C0001" / "lecturas.xlsx")
    drain()
    assert imported(components, tenant) == []
    assert everything_in(account.outside) == ["elsewhere", "elsewhere/lecturas.xlsx"]
    told = result_of(account.home / "failed" / "lecturas.xlsx.result.json")
    assert "C0001 is a symbolic link" in told["reason"]


def test_an_account_folder_that_is_a_link_is_refused_and_nothing_written_there(
    components: Components, tenant: str, account: Account, drain: Callable[[], None]
) -> None:
    account.home.rmdir()
    account.home.symlink_to(account.outside, target_is_directory=True)
    (account.outside / "lecturas.csv").write_bytes(SECRET)
    consider(components, account.home / "lecturas.csv")
    drain()
    assert imported(components, tenant) == []
    assert everything_in(account.outside) == ["lecturas.csv"]
    [(_, state, why)] = claims(components, tenant)
    assert state == "reported"
    assert why is not None
    assert "symbolic link" in why


def test_the_watch_never_imports_through_links_and_reports_a_linked_file(
    components: Components, tenant: str, account: Account, drain: Callable[[], None]
) -> None:
    elsewhere = account.outside / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "lecturas.csv").write_bytes(SECRET)
    (account.home / "C0001").symlink_to(elsewhere, target_is_directory=True)
    (account.home / "secret.csv").symlink_to(elsewhere / "lecturas.csv")
    watch = DropWatcher(components, components.settings.drop_root, stable_seconds=0, rescan_seconds=0.2)
    running = threading.Thread(target=watch.run)
    running.start()
    try:
        told = account.home / "failed" / "secret.csv.result.json"
        deadline = time.monotonic() + 20
        while not told.exists():
            assert time.monotonic() < deadline, "the linked file was not reported"
            time.sleep(0.1)
        time.sleep(1)  # a few more rescans
    finally:
        watch.stop()
        running.join(timeout=10)
    drain()
    assert imported(components, tenant) == []
    assert "secret.csv is a symbolic link" in result_of(told)["reason"]
    assert everything_in(account.outside) == ["elsewhere", "elsewhere/lecturas.csv"]


# --- a file swapped for a link after it was checked -------------------------------------------------


def swap_for_link(path: Path, target: Path) -> None:
    parked = path.with_name(f".parked-{path.name}")
    path.rename(parked)
    path.symlink_to(target)


@dataclass
class SwappingBlobStore:
    """The real store, but the file it is given is swapped for a link to a secret just before it is read
    (wherever the watcher keeps it by then)."""

    inner: Any
    secret: Path

    def put(self, source: Path) -> tuple[str, int]:
        swap_for_link(source, self.secret)
        sha, size = self.inner.put(source)
        return str(sha), int(size)

    def put_file(self, source: BinaryIO) -> tuple[str, int]:
        swap_for_link(Path(f"/proc/self/fd/{source.fileno()}").readlink(), self.secret)
        sha, size = self.inner.put_file(source)
        return str(sha), int(size)

    def local_path(self, sha256: str) -> Path:
        return Path(self.inner.local_path(sha256))


def test_a_file_swapped_for_a_link_after_the_check_imports_the_original_bytes(
    components: Components,
    tenant: str,
    account: Account,
    manager: Caller,
    drain: Callable[[], None],
) -> None:
    secret = account.outside / "secret.csv"
    secret.write_bytes(SECRET)
    dropped = account.drop("C0001/lecturas.xlsx")
    original = dropped.read_bytes()
    swapping = replace(components, blobs=SwappingBlobStore(components.blobs, secret))
    DropWatcher(swapping, components.settings.drop_root).consider(dropped)
    drain()
    [job] = imported(components, tenant)
    served = manager.get(f"/v1/imports/{job.id}/file")
    assert served.status_code == 200
    assert served.data == original
    assert secret.read_bytes() == SECRET


def test_a_file_swapped_for_a_link_between_the_check_and_the_open_is_refused(
    components: Components,
    tenant: str,
    account: Account,
    drain: Callable[[], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = account.outside / "secret.csv"
    secret.write_bytes(SECRET)
    dropped = account.drop("lecturas.csv", b"Piso;Lectura anterior;Lectura actual\n1A;0;30\n")

    def swapped_then_opened(root: Path, username: str, relative: Any, checked: Any) -> BinaryIO:
        swap_for_link(root / username / relative, secret)  # the file the watcher checked, wherever it is
        return open_dropped(root, username, relative, checked)

    monkeypatch.setattr(watcher_module, "open_dropped", swapped_then_opened)
    consider(components, dropped)
    drain()
    assert imported(components, tenant) == []
    told = result_of(account.home / "failed" / "lecturas.csv.result.json")
    assert "lecturas.csv is a symbolic link" in told["reason"]
    assert secret.read_bytes() == SECRET
    assert everything_in(account.outside) == ["secret.csv"]


def test_a_dropped_fifo_is_refused_without_hanging_the_watcher(
    components: Components, tenant: str, account: Account
) -> None:
    fifo = account.home / "lecturas.csv"
    os.mkfifo(fifo)
    watching = threading.Thread(target=consider, args=(components, fifo), daemon=True)
    watching.start()
    watching.join(timeout=10)
    assert not watching.is_alive(), "the watcher hangs on a FIFO"
    assert imported(components, tenant) == []
    assert "not a regular file" in result_of(account.home / "failed" / "lecturas.csv.result.json")["reason"]
