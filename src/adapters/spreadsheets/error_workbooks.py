"""Errors workbooks built in a resource-limited child (error_workbook_child), once for each set of
inputs, and kept in a folder: `<folder>/<file's sha256>/<inputs' digest>.xlsx`, or `.failed.json` when
the child could not build it — so a crafted file costs one bounded build, however often it is asked for.

A file's folder keeps only the workbook of its latest inputs (a reprocessed import's errors change)."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from prorata.adapters.spreadsheets.error_workbook_child import EXHAUSTED
from prorata.adapters.spreadsheets.limits import FileLimits, too_large, unsupported
from prorata.domain.problems import ErrorCode, InvalidInput, Problem

log = logging.getLogger(__name__)

_CHILD = "prorata.adapters.spreadsheets.error_workbook_child"
# Part of every digest: a change to how workbooks are written (this number raised) builds them again.
FORMAT = 1
_STDERR_BYTES = 64 * 1024


class SandboxedErrorWorkbooks:
    def __init__(
        self, folder: Path, limits: FileLimits | None = None, output_bytes: int = 1024 * 1024 * 1024
    ) -> None:
        self.folder = folder
        self.limits = limits or FileLimits()
        self.output_bytes = output_bytes

    def workbook(
        self, source: Path, sha256: str, original_name: str, problems: Sequence[Problem]
    ) -> BinaryIO:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        folder = self.folder / sha256
        folder.mkdir(parents=True, exist_ok=True)
        digest = _digest(sha256, original_name, problems)
        built, failed = folder / f"{digest}.xlsx", folder / f"{digest}.failed.json"
        with _locked(folder / f"{digest}.lock"):
            if not built.exists() and not failed.exists():
                self._build(source, original_name, problems, built, failed)
                _forget_others(folder, keep={built.name, failed.name})
        if failed.exists():
            why = json.loads(failed.read_text())
            raise InvalidInput([Problem(ErrorCode(why["code"]), str(why["message"]))])
        return built.open("rb")

    def _build(
        self, source: Path, original_name: str, problems: Sequence[Problem], built: Path, failed: Path
    ) -> None:
        handle, name = tempfile.mkstemp(dir=built.parent, prefix=".building-", suffix=".xlsx")
        os.close(handle)
        partial = Path(name)
        try:
            error = self._run_child(source, original_name, problems, partial)
            if error is None:
                partial.replace(built)
                return
            [problem] = error.problems[:1]
            _write_atomically(failed, json.dumps({"code": problem.code.value, "message": problem.message}))
        finally:
            partial.unlink(missing_ok=True)

    def _run_child(
        self, source: Path, original_name: str, problems: Sequence[Problem], target: Path
    ) -> InvalidInput | None:
        request = {
            "source": str(source),
            "target": str(target),
            "original_name": original_name,
            "problems": [
                {"code": p.code.value, "message": p.message, "row": p.row, "column": p.column}
                for p in problems
            ],
            "limits": dataclasses.asdict(self.limits),
            "memory_bytes": self.limits.child_memory_bytes,
            "cpu_seconds": self.limits.child_seconds,
            "output_bytes": self.output_bytes,
        }
        # Reading takes at most the readers' own time limit; as long again is left to write the workbook
        # (or only its summary, when the file could not be read in time).
        seconds = 2 * self.limits.child_seconds
        with tempfile.TemporaryFile() as errors:
            # Its own session, so that on a timeout its calamine children go with it.
            child = subprocess.Popen(
                [sys.executable, "-m", _CHILD],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
            try:
                child.communicate(json.dumps(request).encode(), timeout=seconds)
            except subprocess.TimeoutExpired:
                _kill(child)
                return too_large(original_name, f"building its errors workbook took over {seconds} s")
            except BaseException:
                _kill(child)
                raise
            if child.returncode == 0 and target.stat().st_size > 0:
                return None
            errors.seek(0)
            stderr = errors.read(_STDERR_BYTES)
        if child.returncode < 0 or child.returncode == EXHAUSTED:
            why = "building its errors workbook exhausted the memory, time or size allowed"
            return too_large(original_name, why)
        log.error("errors workbook child failed (%s): %s", child.returncode, stderr.decode(errors="replace"))
        return unsupported(original_name, "its errors workbook could not be built from the file")


def _digest(sha256: str, original_name: str, problems: Sequence[Problem]) -> str:
    inputs = [FORMAT, sha256, original_name, [[p.code.value, p.message, p.row, p.column] for p in problems]]
    return hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One build at a time for a set of inputs, across threads and processes. The lock file is removed
    while still held: a waiter holding the old one finds the build done; a newcomer makes a new one."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _forget_others(folder: Path, keep: set[str]) -> None:
    for entry in folder.iterdir():
        name = entry.name
        if name not in keep and name.endswith((".xlsx", ".failed.json")) and not name.startswith("."):
            entry.unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    Path(name).replace(path)


def _kill(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
