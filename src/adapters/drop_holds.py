"""Holds: a claimed file is moved out of its upload name into `.claimed/<hold>/<path>` in its account's
folder, so that a later upload of the same name is another file — never the one whose result is written
— and the outcome moves the very file that was imported. Every step goes through folders opened without
following links (drop_folders), and every move is a hard link then an unlink (`Folder.move_new`): it
moves an entry itself (a link stays a link) and never replaces what is at the new name."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from prorata.adapters.drop_folders import Folder
from prorata.domain.dropzone.model import HOLDS, LinkRefused, held_in, held_path
from prorata.domain.ports.drop_outcomes import DropOutcomes
from prorata.domain.problems import Problem


def hold(root: Path, username: str, dropped: PurePosixPath, hold_name: str) -> PurePosixPath:
    """Moves the entry at `dropped` — whatever it is now — into the hold; returns its path there.
    OSError if it is gone, the hold is taken or the filesystem has no hard links; LinkRefused if a
    folder on the way is a link."""
    with (
        Folder.of_account(root, username) as account,
        account.descend(dropped.parts[:-1]) as source,
        account.descend((HOLDS, hold_name, *dropped.parts[:-1]), create=True) as target,
    ):
        source.move_new(dropped.name, target, dropped.name)
    return PurePosixPath(held_path(str(dropped), hold_name))


def same_file(root: Path, username: str, where: PurePosixPath, opened: BinaryIO) -> bool:
    """Whether the entry at `where` is the file open as `opened` (not a link to it, nor another)."""
    try:
        with Folder.of_account(root, username) as account, account.descend(where.parts[:-1]) as folder:
            found = folder.entry(where.name)
    except (OSError, LinkRefused):
        return False
    reading = os.fstat(opened.fileno())
    return found is not None and (found.st_dev, found.st_ino) == (reading.st_dev, reading.st_ino)


def release(root: Path, username: str, dropped: PurePosixPath, hold_name: str) -> bool:
    """Puts what is in the hold back at the name it was dropped at — its claim was not committed —
    unless another file took that name meanwhile (then it stays held, and the next rescan claims it
    there)."""
    where = PurePosixPath(held_path(str(dropped), hold_name))
    try:
        with (
            Folder.of_account(root, username) as account,
            account.descend(where.parts[:-1]) as held,
            account.descend(dropped.parts[:-1]) as origin,
        ):
            held.move_new(where.name, origin, dropped.name)
    except (OSError, LinkRefused):
        return False
    prune(root, username, hold_name)
    return True


def prune(root: Path, username: str, hold_name: str) -> None:
    """Removes the hold's folders once its file has gone on (to processed/ or failed/), and `.claimed`
    once it holds nothing. A folder still holding anything stays; removing an empty one another watcher
    is filling only makes its move fail, and the file stays on its name."""
    with suppress(OSError, LinkRefused), Folder.of_account(root, username) as account:
        with account.child(HOLDS) as holds:
            _remove_empty(holds, hold_name)
        os.rmdir(HOLDS, dir_fd=account.fd)


class PruningDropOutcomes:
    """The drop zone's outcomes (another DropOutcomes), then the emptied hold removed at once — the
    outcome moved the held file on."""

    def __init__(self, outcomes: DropOutcomes, root: Path) -> None:
        self.outcomes = outcomes
        self.root = root

    def write(
        self,
        username: str,
        relative: str,
        folder: str,
        result: dict[str, object],
        problems: Sequence[Problem],
    ) -> None:
        self.outcomes.write(username, relative, folder, result, problems)
        held = held_in(PurePosixPath(relative))
        if held is not None:
            prune(self.root, username, held[0])


def prune_all(root: Path) -> None:
    """Prunes every account's holds."""
    for account in root.iterdir() if root.is_dir() else ():
        for hold_name in holds_of(root, account.name):
            prune(root, account.name, hold_name)


def prune_moved(root: Path, moved: Path) -> None:
    """Prunes the hold a file was just moved out of, if it was in one."""
    try:
        username, *inside = moved.relative_to(root).parts
    except ValueError:
        return
    held = held_in(PurePosixPath(*inside)) if inside else None
    if held is not None:
        prune(root, username, held[0])


def holds_of(root: Path, username: str) -> list[str]:
    """The names of the account's holds."""
    try:
        with Folder.of_account(root, username) as account, account.child(HOLDS) as holds:
            return [name for name in holds.names() if _is_folder(holds, name)]
    except (OSError, LinkRefused):
        return []


def _remove_empty(parent: Folder, name: str) -> bool:
    with parent.child(name) as folder:
        for entry in folder.names():
            if not (_is_folder(folder, entry) and _remove_empty(folder, entry)):
                return False
    try:
        os.rmdir(name, dir_fd=parent.fd)
    except OSError:
        return False
    return True


def _is_folder(parent: Folder, name: str) -> bool:
    found = parent.entry(name)
    return found is not None and stat.S_ISDIR(found.st_mode)
