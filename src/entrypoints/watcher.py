"""`prorata watch`: finds completed files in the drop zone — whoever wrote them (our SFTP server, OpenSSH,
SFTPGo) — claims each exactly once together with its import; when the import ends, an event handler leaves
the outcome beside it in `processed/` or `failed/` so the legacy system can fetch it over SFTP."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from prorata.application import dropzone
from prorata.application.errors import NotFound
from prorata.config.bootstrap import Components
from prorata.domain.dropzone.model import DropAccount, is_candidate
from prorata.domain.problems import InvalidInput

log = logging.getLogger(__name__)


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
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

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
        """Claim the file if it is an import candidate no one has claimed, with its import, in one
        transaction. Its outcome is written when the import ends (an event handler), not polled for."""
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
            try:
                taken = dropzone.take(
                    uow,
                    parts.services,
                    account,
                    str(relative),
                    info.st_size,
                    info.st_mtime_ns,
                    path,
                )
            except (InvalidInput, NotFound, OSError) as error:
                uow.rollback()
                dropzone.refuse(
                    uow,
                    parts.services,
                    account,
                    str(relative),
                    info.st_size,
                    info.st_mtime_ns,
                    str(error),
                )
                return
            if taken is None:
                return
            claim, job, new = taken
            uow.commit()
        log.info("claimed %s for %s as import %s", relative, account.username, job.id)
        if new:
            parts.queue.run_import(job.id)
            return
        # The same bytes came before: their import may have ended (and told so) before this claim was.
        with parts.unit_of_work() as uow:
            ended = uow.imports.get(job.tenant_id, job.id)
            if ended is not None and dropzone.report(uow, parts.drop_outcomes, claim, ended):
                uow.commit()

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
