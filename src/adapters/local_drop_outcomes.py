"""Drop-zone outcomes as files in the account's folder: the file moved to processed/ or failed/, its
result and row errors beside it. The account's users can create symbolic links, so nothing here follows
one (see drop_folders): processed/ or failed/ being a link is refused, a file is moved only if it is a
regular file reached without a link, and a result file is replaced by a rename — which replaces a link
there, never the file it points to."""

from __future__ import annotations

import csv
import itertools
import json
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from prorata.adapters.drop_folders import Folder
from prorata.domain.dropzone.model import (
    FAILED,
    PROCESSED,
    LinkRefused,
    held_in,
    hold_of,
    numbered_name,
    shown,
)
from prorata.domain.imports.safe_text import safe_cells
from prorata.domain.problems import Problem

# What is written beside a file handed back: the file's name with these must fit in one folder entry.
_COMPANIONS = (".result.json", ".errors.csv")


class LocalDropOutcomes:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(
        self,
        username: str,
        relative: str,
        folder: str,
        result: dict[str, object],
        problems: Sequence[Problem],
    ) -> None:
        path = PurePosixPath(relative)
        with (
            Folder.of_account(self.root, username, create=True) as account,
            account.child(folder, create=True) as target,
        ):
            name = _move_into(account, path, folder, target)
            beside = {"file": shown(name)} | {key: told for key, told in result.items() if key != "file"}
            with target.replacing(f"{name}.result.json") as out:
                out.write(json.dumps(beside, indent=2, default=str) + "\n")
            if not problems:  # an earlier file of this name may have left its errors here
                target.remove(f"{name}.errors.csv")
                return
            with target.replacing(f"{name}.errors.csv") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "column", "code", "message"])
                for problem in problems:
                    writer.writerow(
                        safe_cells([problem.row, problem.column, problem.code.value, problem.message])
                    )


def _move_into(account: Folder, path: PurePosixPath, folder: str, target: Folder) -> str:
    """Moves the dropped file into `target` — or, told before (awaiting costs), on from where the first
    outcome put it — and returns its name there. A link, or a file behind a linked folder, is never
    moved: that would bring in a file from outside the account."""
    try:
        with account.descend(path.parts[:-1]) as source:
            found = source.entry(path.name)
            if found is not None:
                moving = stat.S_ISREG(found.st_mode)
                return _move(source, path.name, target) if moving else _unused(target, path.name)
    except LinkRefused:
        return _unused(target, path.name)
    except (FileNotFoundError, NotADirectoryError):
        pass
    held = held_in(path)
    for outcome in (folder, FAILED if folder == PROCESSED else PROCESSED):
        try:
            with account.child(outcome) as before:
                into = None if outcome == folder else target
                told = _told_before(before, path.name, held[0] if held else None, into)
                if told is None:
                    continue
                if outcome == folder:
                    return told
                for stale in _COMPANIONS:
                    before.remove(f"{told}{stale}")
                return _move(before, told, target)
        except (LinkRefused, FileNotFoundError, NotADirectoryError):
            continue
    return _unused(target, path.name)


def _told_before(before: Folder, name: str, hold: str | None, into: Folder | None) -> str | None:
    """The name the file dropped as `name` took in `before` at its first outcome (None: not there, or
    not to be moved `into` the other folder). A held file is known by its hold — its device, inode, size
    and time, which a rename keeps — so a renamed one is found, and never another upload of its name; a
    file claimed where it stood (no hold: no hard links here) only by its name."""
    if hold is None:
        found = before.entry(name)
        if found is None or not stat.S_ISREG(found.st_mode):
            return None
        return None if into is not None and into.entry(name) is not None else name
    present = set(before.names())
    for candidate in itertools.islice(_candidates(name), len(present) + 1):
        found = before.entry(candidate) if candidate in present else None
        if found is not None and stat.S_ISREG(found.st_mode) and _identity(found) == hold:
            return candidate
    return None


def _identity(found: os.stat_result) -> str:
    return hold_of(found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def _move(source: Folder, name: str, target: Folder) -> str:
    """Moves the file into `target` under its name, or — an earlier upload of the name is there — the
    first of `name.1.csv`, `name.2.csv`… that nothing holds (never replacing one: outcomes of two uploads
    of a name may be written at the same moment)."""
    for moved in _candidates(name):
        try:
            source.move_new(name, target, moved)
        except FileExistsError:
            continue
        except OSError:  # no hard links on this filesystem: the same rule, with a check a rival may race
            if target.entry(moved) is not None:
                continue
            source.move(name, target, moved)
        return moved
    raise AssertionError("unreachable: the candidates never end")


def _unused(target: Folder, name: str) -> str:
    """The file is not moved here (gone — fetched and removed, say — or refused where it stands): a name
    for its result files that neither another file here nor another's result holds."""
    for candidate in _candidates(name):
        if all(target.entry(f"{candidate}{extra}") is None for extra in ("", *_COMPANIONS)):
            return candidate
    raise AssertionError("unreachable: the candidates never end")


def _candidates(name: str) -> Iterator[str]:
    """`name`, then `stem.1.suffix`, `stem.2.suffix`…, each cut to fit with its result files."""
    return (_fitted(name, n) for n in itertools.count())


def _fitted(name: str, n: int = 0) -> str:
    # A name as long as OpenSSH or SFTPGo let a client write leaves no room for `<name>.result.json`.
    return numbered_name(name, n, spare=max(map(len, _COMPANIONS)))
