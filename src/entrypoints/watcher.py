"""`prorata watch`: finds completed files in the drop zone — whoever wrote them (our SFTP server, OpenSSH,
SFTPGo) — claims each exactly once, hands it to the import pipeline, and leaves the outcome beside it in
`processed/` or `failed/` so the legacy system can fetch it over SFTP."""

from __future__ import annotations

import csv
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path, PurePosixPath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from prorata.application import dropzone
from prorata.application.errors import NotFound
from prorata.config.bootstrap import Components
from prorata.domain.dropzone.model import FAILED, PROCESSED, DropAccount, DropClaim, is_candidate
from prorata.domain.imports.model import ImportJob, ImportStatus
from prorata.domain.problems import InvalidInput

log = logging.getLogger(__name__)
# A claim still unreported after this long lost its watcher: another one reports it.
ORPHAN_AFTER = timedelta(minutes=2)


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


@dataclass(eq=False)
class DropWatcher(FileSystemEventHandler):
    """Acts on a file when it is moved in or closed after writing, or when its size and time stood still
    for `stable_seconds`; rescans every `rescan_seconds` in case an event was missed."""

    components: Components
    root: Path
    stable_seconds: float = 5.0
    rescan_seconds: float = 30.0
    _seen: dict[Path, _Seen] = field(default_factory=dict)
    _mine: dict[str, tuple[DropClaim, Path]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _adopted_at: float = 0.0

    def run(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        observer = Observer()
        observer.schedule(self, str(self.root), recursive=True)
        observer.start()
        last_scan = 0.0
        try:
            while not self._stopping.wait(0.2):
                try:
                    if time.monotonic() - last_scan >= self.rescan_seconds:
                        self.rescan()
                        last_scan = time.monotonic()
                    self._settle_stable()
                    self.report()
                except Exception:  # a database or disk hiccup must not stop the watch
                    log.exception("drop-zone pass failed; trying again")
        finally:
            observer.stop()
            observer.join()

    def stop(self) -> None:
        self._stopping.set()

    # Events: a completed file right away, anything else once it stands still.
    def on_closed(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.consider(Path(str(event.src_path)))

    def on_moved(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.consider(Path(str(event.dest_path)))

    def on_created(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self._watch(Path(str(event.src_path)))

    def on_modified(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self._watch(Path(str(event.src_path)))

    def rescan(self) -> None:
        for path in self.root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                self._watch(path)

    def _watch(self, path: Path) -> None:
        try:
            info = path.stat()
        except OSError:
            return
        with self._lock:
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (info.st_size, info.st_mtime_ns):
                self._seen[path] = _Seen(info.st_size, info.st_mtime_ns, time.monotonic())

    def _settle_stable(self) -> None:
        now = time.monotonic()
        with self._lock:
            ready = [p for p, s in self._seen.items() if now - s.since >= self.stable_seconds]
        for path in ready:
            self._watch(path)
            with self._lock:
                seen = self._seen.get(path)
                if seen is None or now - seen.since < self.stable_seconds:
                    continue
                del self._seen[path]
            self.consider(path)

    def consider(self, path: Path) -> None:
        """Claim the file if it is an import candidate no one has claimed, and hand it over."""
        located = self._locate(path)
        if located is None:
            return
        account, relative = located
        try:
            info = path.stat()
        except OSError:
            return
        parts = self.components
        with parts.unit_of_work() as uow:
            taken = dropzone.claim(
                uow, parts.ids, parts.clock, account, str(relative), info.st_size, info.st_mtime_ns
            )
            if taken is None:
                return
            try:
                job, taken = dropzone.hand_over(
                    uow, parts.blobs, parts.ids, parts.clock, parts.queue, account, taken, path
                )
            except (InvalidInput, NotFound, OSError) as error:
                why = str(error)
                dropzone.refuse(uow, taken, why)
                self._write_outcome(
                    path, FAILED, {"file": relative.name, "status": "failed", "reason": why}, []
                )
                return
        log.info("claimed %s for %s as import %s", relative, account.username, job.id)
        with self._lock:
            self._mine[taken.id] = (taken, path)

    def _locate(self, path: Path) -> tuple[DropAccount, PurePosixPath] | None:
        try:
            inside = path.relative_to(self.root)
        except ValueError:
            return None
        if len(inside.parts) < 2 or path.is_symlink():
            return None
        relative = PurePosixPath(*inside.parts[1:])
        if not is_candidate(relative):
            return None
        with self.components.unit_of_work() as uow:
            account = dropzone.find_account(uow, inside.parts[0])
        return None if account is None else (account, relative)

    def report(self) -> None:
        """Move each of this watcher's files whose import ended, with its result beside it — and those of
        a watcher that stopped before it could."""
        with self._lock:
            pending = list(self._mine.values())
        if time.monotonic() - self._adopted_at > ORPHAN_AFTER.total_seconds():
            self._adopted_at = time.monotonic()
            with self.components.unit_of_work() as uow:
                stale = dropzone.orphans(uow, self.components.clock.now() - ORPHAN_AFTER)
            mine = {taken.id for taken, _ in pending}
            pending += [(t, self.root / a.username / t.path) for t, a in stale if t.id not in mine]
        for taken, path in pending:
            parts = self.components
            with parts.unit_of_work() as uow:
                job = dropzone.finished(uow, taken)
                if job is None:
                    continue
                errors = uow.import_errors.list(job.tenant_id, import_id=job.id).items
                folder = FAILED if job.status in (ImportStatus.FAILED, ImportStatus.CANCELLED) else PROCESSED
                self._write_outcome(path, folder, _result(job), [e.problem for e in errors])
                dropzone.reported(uow, taken, job.status.value)
            with self._lock:
                self._mine.pop(taken.id, None)

    def _write_outcome(
        self, path: Path, folder: str, result: dict[str, object], problems: list[object]
    ) -> None:
        account_root = self.root / path.relative_to(self.root).parts[0]
        target_folder = account_root / folder
        target_folder.mkdir(exist_ok=True)
        target = target_folder / path.name
        if target.exists():
            target = target_folder / f"{path.stem}.{int(time.time())}{path.suffix}"
        if path.exists():
            path.replace(target)
        (target_folder / f"{target.name}.result.json").write_text(
            json.dumps(result, indent=2, default=str) + "\n"
        )
        if problems:
            with (target_folder / f"{target.name}.errors.csv").open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "column", "code", "message"])
                for problem in problems:
                    writer.writerow(
                        [
                            getattr(problem, "row", None),
                            getattr(problem, "column", None),
                            getattr(getattr(problem, "code", None), "value", None),
                            getattr(problem, "message", None),
                        ]
                    )


def _result(job: ImportJob) -> dict[str, object]:
    return {
        "file": job.original_name,
        "import_id": job.id,
        "status": job.status.value,
        "reason": job.reason,
        "rows": {"total": job.rows_total, "accepted": job.rows_accepted, "rejected": job.rows_rejected},
        "received_at": job.received_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
