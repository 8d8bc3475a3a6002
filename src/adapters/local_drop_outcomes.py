"""Drop-zone outcomes as files in the account's folder: the file moved to processed/ or failed/, its
result and row errors beside it. The account's users can create symbolic links, so nothing here follows
one (see drop_folders): processed/ or failed/ being a link is refused, a file is moved only if it is a
regular file reached without a link, and a result file is replaced by a rename — which replaces a link
there, never the file it points to."""

from __future__ import annotations

import csv
import json
import stat
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from prorata.adapters.drop_folders import Folder
from prorata.domain.dropzone.model import FAILED, PROCESSED, LinkRefused
from prorata.domain.imports.safe_text import safe_cells
from prorata.domain.problems import Problem


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
            with target.replacing(f"{name}.result.json") as out:
                out.write(json.dumps(result, indent=2, default=str) + "\n")
            if problems:
                with target.replacing(f"{name}.errors.csv") as out:
                    writer = csv.writer(out)
                    writer.writerow(["row", "column", "code", "message"])
                    for problem in problems:
                        writer.writerow(
                            safe_cells([problem.row, problem.column, problem.code.value, problem.message])
                        )


def _move_into(account: Folder, path: PurePosixPath, folder: str, target: Folder) -> str:
    """Moves the dropped file into `target` — or, told before (awaiting costs), on from the other outcome
    folder — and returns its name there. A link, or a file behind a linked folder, is never moved: that
    would bring in a file from outside the account."""
    try:
        with account.descend(path.parts[:-1]) as source:
            found = source.entry(path.name)
            if found is not None:
                return _move(source, path.name, target) if stat.S_ISREG(found.st_mode) else path.name
    except LinkRefused:
        return path.name
    except (FileNotFoundError, NotADirectoryError):
        pass
    try:
        with account.child(FAILED if folder == PROCESSED else PROCESSED) as earlier:
            found = earlier.entry(path.name)
            if found is None or not stat.S_ISREG(found.st_mode) or target.entry(path.name) is not None:
                return path.name
            for stale in (f"{path.name}.result.json", f"{path.name}.errors.csv"):
                earlier.remove(stale)
            return _move(earlier, path.name, target)
    except (LinkRefused, FileNotFoundError, NotADirectoryError):
        return path.name


def _move(source: Folder, name: str, target: Folder) -> str:
    moved = name
    if target.entry(name) is not None:  # an earlier upload of the same name: keep both
        plain = PurePosixPath(name)
        moved = f"{plain.stem}.{int(time.time())}{plain.suffix}"
    source.move(name, target, moved)
    return moved
