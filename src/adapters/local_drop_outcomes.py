"""Drop-zone outcomes as files in the account's folder: the file moved to processed/ or failed/, its
result and row errors beside it."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from prorata.domain.dropzone.model import FAILED, PROCESSED
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
        account = self.root / username
        source = account / PurePosixPath(relative)
        target_folder = account / folder
        target_folder.mkdir(parents=True, exist_ok=True)
        target = target_folder / source.name
        moved = [account / other / source.name for other in (PROCESSED, FAILED) if other != folder]
        if not source.exists() and moved and moved[0].exists() and not target.exists():
            source = moved[0]  # told before (awaiting costs): the final outcome moves it on
            for stale in (f"{source.name}.result.json", f"{source.name}.errors.csv"):
                (source.parent / stale).unlink(missing_ok=True)
        if source.exists():
            if target.exists():  # an earlier upload of the same name: keep both
                target = target_folder / f"{source.stem}.{int(time.time())}{source.suffix}"
            source.replace(target)
        (target_folder / f"{target.name}.result.json").write_text(
            json.dumps(result, indent=2, default=str) + "\n"
        )
        if problems:
            with (target_folder / f"{target.name}.errors.csv").open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "column", "code", "message"])
                for problem in problems:
                    writer.writerow([problem.row, problem.column, problem.code.value, problem.message])
