"""The names the drop zone hands files back under: each dropped file keeps its own file and result in
processed/ or failed/ — however many uploads of one name end within a second, when a second outcome
(after `awaiting_costs`) comes for a file renamed on the first, whatever the length of its name (up to the
255 bytes a folder entry takes) and even when its name is not UTF-8 (as a legacy system writing cp1252
names through OpenSSH or SFTPGo leaves it)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from prorata.adapters.local_drop_outcomes import LocalDropOutcomes
from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.config.bootstrap import Components
from prorata.domain.community.model import Community
from prorata.domain.dropzone.model import HOLDS, held_path, hold_of
from prorata.domain.problems import ErrorCode, Problem
from prorata.entrypoints.watcher import DropWatcher

GOOD = b"Piso;Lectura anterior;Lectura actual\r\n1A;0;30\r\n1B;0;10\r\n"
NAME_MAX = 255


def held(home: Path, name: str, content: bytes) -> str:
    """A dropped file moved into its hold, as a watcher claims it: its path in the account."""
    dropped = home / name
    dropped.write_bytes(content)
    found = dropped.lstat()
    hold = hold_of(found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
    (home / HOLDS / hold).mkdir(parents=True)
    dropped.rename(home / HOLDS / hold / name)
    return held_path(name, hold)


def told(folder: Path) -> dict[str, tuple[bytes, str | None]]:
    """Each file handed back in the folder, by name: its bytes and the import its result names."""
    return {
        path.name: (
            path.read_bytes(),
            json.loads(path.with_name(f"{path.name}.result.json").read_text()).get("import_id"),
        )
        for path in folder.iterdir()
        if not path.name.endswith((".result.json", ".errors.csv"))
    }


def outcome(import_id: str, status: str = "awaiting_costs") -> dict[str, object]:
    return {"file": "lecturas.csv", "import_id": import_id, "status": status}


def problem() -> Problem:
    return Problem(ErrorCode.INVALID_NUMBER, "not a number", row=3, column="Lectura actual")


def test_uploads_of_one_name_ending_within_a_second_each_keep_their_file_and_result(tmp_path: Path) -> None:
    home = tmp_path / "acme"
    home.mkdir()
    outcomes = LocalDropOutcomes(tmp_path)
    for n in range(4):
        outcomes.write("acme", held(home, "lecturas.csv", b"%d" % n), "processed", outcome(f"i{n}"), [])
    kept = told(home / "processed")
    assert sorted(kept.values()) == [(b"%d" % n, f"i{n}") for n in range(4)]
    assert "lecturas.csv" in kept


def test_the_final_outcome_of_a_renamed_file_awaiting_costs_goes_to_that_file(tmp_path: Path) -> None:
    home = tmp_path / "acme"
    home.mkdir()
    outcomes = LocalDropOutcomes(tmp_path)
    first, second = held(home, "lecturas.csv", b"first"), held(home, "lecturas.csv", b"second")
    outcomes.write("acme", first, "processed", outcome("i1"), [])
    outcomes.write("acme", second, "processed", outcome("i2"), [])
    outcomes.write("acme", second, "processed", outcome("i2", "settled"), [])
    processed = told(home / "processed")
    assert sorted(processed.values()) == [(b"first", "i1"), (b"second", "i2")]
    outcomes.write("acme", first, "failed", outcome("i1", "failed"), [problem()])
    assert list(told(home / "failed").values()) == [(b"first", "i1")]
    assert list(told(home / "processed").values()) == [(b"second", "i2")]
    statuses = {p.name: json.loads(p.read_text())["status"] for p in home.glob("*/*.result.json")}
    assert sorted(statuses.values()) == ["failed", "settled"]


def test_a_file_claimed_where_it_stood_gets_its_final_outcome_under_its_name(tmp_path: Path) -> None:
    home = tmp_path / "acme"
    home.mkdir()
    (home / "lecturas.csv").write_bytes(b"only")  # no hold: claimed on a filesystem without hard links
    outcomes = LocalDropOutcomes(tmp_path)
    outcomes.write("acme", "lecturas.csv", "processed", outcome("i1"), [])
    outcomes.write("acme", "lecturas.csv", "processed", outcome("i1", "settled"), [])
    assert sorted(p.name for p in (home / "processed").iterdir()) == [
        "lecturas.csv",
        "lecturas.csv.result.json",
    ]
    assert json.loads((home / "processed" / "lecturas.csv.result.json").read_text())["status"] == "settled"


def test_an_outcome_without_row_errors_leaves_no_earlier_errors_file_beside_it(tmp_path: Path) -> None:
    home = tmp_path / "acme"
    home.mkdir()
    outcomes = LocalDropOutcomes(tmp_path)
    outcomes.write("acme", held(home, "lecturas.csv", b"march"), "processed", outcome("i1"), [problem()])
    (home / "processed" / "lecturas.csv").unlink()  # the legacy system fetched the file, not its errors
    outcomes.write("acme", held(home, "lecturas.csv", b"april"), "processed", outcome("i2"), [])
    assert sorted(p.name for p in (home / "processed").iterdir()) == [
        "lecturas.csv",
        "lecturas.csv.result.json",
    ]


@pytest.mark.parametrize("stem", ["x" * 251, "ñ" * 125, "x" * 240], ids=["ascii", "two-byte", "near"])
def test_a_file_named_as_long_as_a_folder_entry_allows_gets_its_file_result_and_errors(
    tmp_path: Path, stem: str
) -> None:
    home = tmp_path / "acme"
    home.mkdir()
    outcomes = LocalDropOutcomes(tmp_path)
    for n in range(2):
        outcomes.write("acme", held(home, f"{stem}.csv", b"%d" % n), "failed", outcome(f"i{n}"), [problem()])
    names = [p.name for p in (home / "failed").iterdir()]
    assert all(len(os.fsencode(name)) <= NAME_MAX for name in names), names
    kept = told(home / "failed")
    assert sorted(kept.values()) == [(b"0", "i0"), (b"1", "i1")]
    assert all(name.endswith(".csv") and (home / "failed" / f"{name}.errors.csv").is_file() for name in kept)


# --- through the watcher ----------------------------------------------------------------------------


@pytest.fixture
def account(components: Components, tenant: str) -> Path:
    username = f"n{uuid.uuid4().hex[:12]}"
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
        uow.communities.add(Community(components.ids.new(), tenant, "C0001", "CP Uno"))
        uow.commit()
    home = components.settings.drop_root / username
    (home / "C0001").mkdir(parents=True)
    return home


@pytest.mark.parametrize(
    ("name", "folder", "status"),
    [
        ("x" * 246 + ".csv", "processed", "awaiting_costs"),  # 250 bytes: as OpenSSH and SFTPGo allow
        (b"lectura\xf1a.csv", "failed", "failed"),  # cp1252: not UTF-8
        (b"C\xf3digo-" + b"y" * 200 + b"\xff.xlsx", "failed", "failed"),
    ],
    ids=["long", "cp1252", "long-and-not-utf8"],
)
def test_a_dropped_file_ends_beside_its_result_whatever_its_name(
    components: Components,
    account: Path,
    drain: Callable[[], None],
    name: str | bytes,
    folder: str,
    status: str,
) -> None:
    dropped = Path(os.fsdecode(os.fsencode(account / "C0001") + b"/" + os.fsencode(name)))
    dropped.write_bytes(GOOD)
    DropWatcher(components, components.settings.drop_root).consider(dropped)
    drain()
    assert not dropped.exists()
    (kept,) = told(account / folder).values()
    assert kept[0] == GOOD
    (result,) = [json.loads(p.read_text()) for p in (account / folder).glob("*.result.json")]
    assert result["status"] == status
    if status == "failed":
        assert "UTF-8" in result["reason"]
        assert result["file"] == os.fsencode(name).decode("utf-8", "backslashreplace")
