"""`prorata watch`: finds completed files in the drop zone — whoever wrote them (our SFTP server, OpenSSH,
SFTPGo) — claims each exactly once together with its import; when the import ends, an event handler leaves
the outcome beside it in `processed/` or `failed/` so the legacy system can fetch it over SFTP. Those users
can create symbolic links: a link in an account's folder is refused and reported, never followed — the
file is read from a descriptor opened without following links and checked to be the file claimed."""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from prorata.adapters import drop_holds
from prorata.adapters.drop_folders import FileChanged, open_dropped, stat_dropped
from prorata.adapters.heartbeat import FileHeartbeat
from prorata.application import dropzone
from prorata.application.errors import NotFound
from prorata.config.bootstrap import Components
from prorata.domain.dropzone.model import (
    HOLDS,
    DropAccount,
    DropClaim,
    LinkRefused,
    held_in,
    hold_of,
    is_candidate,
    named_in_text,
)
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.problems import InvalidInput

log = logging.getLogger(__name__)
NOT_TEXT = "its name is not UTF-8 text (a byte is shown as \\x..): name the file in UTF-8 and send it again"


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


@dataclass(eq=False)
class DropWatcher(FileSystemEventHandler):
    """Acts on a file when it is moved in or closed after writing, or when its size and time stood still
    for `stable_seconds`; rescans every `rescan_seconds` in case an event was missed. Touches the
    heartbeat file (PRORATA_HEARTBEAT_FILE) every pass of its loop, idle or failed, and after each file
    it claims in one: a loop that no longer goes round is told by the file's age."""

    components: Components
    root: Path
    stable_seconds: float = 5.0
    rescan_seconds: float = 30.0
    _seen: dict[Path, _Seen] = field(default_factory=dict)
    _linked_folders: set[Path] = field(default_factory=set)
    _holding: set[str] = field(default_factory=set)  # holds this watcher is claiming now
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _heartbeat: FileHeartbeat = field(init=False)

    def __post_init__(self) -> None:
        self._heartbeat = FileHeartbeat(self.components.settings.heartbeat_file)

    def run(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        observer = Observer()
        observer.schedule(self, str(self.root), recursive=True)
        observer.start()
        last_scan = 0.0
        try:
            while not self._stopping.wait(0.2):
                self._heartbeat.beat()
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
            drop_holds.prune_moved(self.root, Path(str(event.src_path)))  # an outcome moved it on

    def on_created(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self._watch(Path(str(event.src_path)))

    def on_modified(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self._watch(Path(str(event.src_path)))

    def rescan(self) -> None:
        """Every file in the accounts' folders, links included (to be refused); a linked folder is not
        entered, and only logged: what lies behind it is not the account's."""
        for folder, folders, files in os.walk(self.root):
            here = Path(folder)
            for name in files:
                self._watch(here / name)
            for name in folders:
                if (here / name).is_symlink():
                    self._watch(here / name)  # refused, if it is named like a file to import
                    self._warn_linked_folder(here / name)
        drop_holds.prune_all(self.root)  # holds whose outcome was written while no watcher saw it

    def _warn_linked_folder(self, path: Path) -> None:
        if path not in self._linked_folders:
            self._linked_folders.add(path)
            log.warning("%r is a symbolic link: the drop zone does not follow it", str(path))

    def _watch(self, path: Path) -> None:
        try:
            info = path.lstat()
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
            self._heartbeat.beat()  # a pass claiming a backlog of files is not a hung one

    def consider(self, path: Path) -> None:
        """Claim the file if it is an import candidate no one has claimed, with its import, in one
        transaction. Its outcome is written when the import ends (an event handler), not polled for."""
        located = self._locate(path)
        if located is None:
            return
        account, where = located
        held = held_in(where)  # a file held by a watcher that stopped before its claim was committed
        if held is not None and not self._unclaimed_hold(path, account, held[0]):
            return
        relative = held[1] if held is not None else where
        try:
            checked = stat_dropped(self.root, account.username, where)
            if checked is None:
                return
            why = self._refusal(where, checked)
            if why is not None:
                self._refuse(account, where, checked.st_size, checked.st_mtime_ns, why)
                return
            source = open_dropped(self.root, account.username, where, checked)
        except LinkRefused as link:
            self._refuse(account, where, link.size, link.mtime_ns, str(link))
            return
        except (FileChanged, OSError):  # gone or changed since: its own events bring it back
            return
        identity = (checked.st_dev, checked.st_ino, checked.st_size, checked.st_mtime_ns)
        hold = held[0] if held is not None else hold_of(*identity)
        parts = self.components
        self._holding.add(hold)
        try:
            with source, parts.unit_of_work() as uow:
                try:
                    taken = dropzone.take(
                        uow,
                        parts.services,
                        account,
                        str(relative),
                        checked.st_size,
                        checked.st_mtime_ns,
                        source,
                        hold,
                    )
                except (InvalidInput, NotFound, OSError) as error:
                    uow.rollback()
                    self._refuse(account, where, checked.st_size, checked.st_mtime_ns, str(error), uow)
                    return
                if taken is None:
                    return
                now = os.fstat(source.fileno())
                if (now.st_size, now.st_mtime_ns) != (checked.st_size, checked.st_mtime_ns):
                    uow.rollback()  # written to while it was read: claimed once it stands still
                    return
                claim, job, new = taken
                if held is None:
                    kept = self._hold(uow, account, claim, source)
                    if kept is None:
                        uow.rollback()  # this very file was claimed before, where it stands
                        return
                    claim = kept
                try:
                    uow.commit()
                except BaseException:
                    if held is None and claim.hold:  # back to its name, for the next watcher
                        drop_holds.release(self.root, account.username, relative, claim.hold)
                    raise
        finally:
            self._holding.discard(hold)
        log.info("claimed %r for %s as import %s", str(relative), account.username, job.id)
        if new:
            parts.queue.run_import(job.id)
            return
        # The same bytes came before: their import may have ended (and told so) before this claim was.
        with parts.unit_of_work() as uow:
            ended = uow.imports.get(job.tenant_id, job.id)
            if ended is not None and dropzone.report(uow, parts.drop_outcomes, claim, ended):
                uow.commit()

    def _refusal(self, where: PurePosixPath, checked: os.stat_result) -> str | None:
        """Why the file is refused as it stands, before anything of it is read; None to claim it."""
        if not stat.S_ISREG(checked.st_mode):
            return "not a regular file"
        if not named_in_text(where):
            return NOT_TEXT
        limit = self.components.settings.max_file_bytes
        if checked.st_size > limit:  # not copied to be refused: a sparse terabyte is one SFTP write
            return f"{where.name}: larger than the limit of {limit} bytes"
        return None

    def _hold(
        self, uow: UnitOfWork, account: DropAccount, claim: DropClaim, source: BinaryIO
    ) -> DropClaim | None:
        """Moves the claimed file, just read, out of its upload name into its hold (before the claim is
        committed: the database chose this watcher already). If it cannot be moved (no hard links
        here), or the entry at the name is no longer the file read — swapped for a link, replaced — what
        was moved is put back and the claim stays on the name it was dropped at; None if this file was
        claimed so before."""
        try:
            where = drop_holds.hold(self.root, account.username, PurePosixPath(claim.path), claim.hold)
        except (OSError, LinkRefused):
            where = None
        if where is not None and drop_holds.same_file(self.root, account.username, where, source):
            return claim
        if where is not None:
            drop_holds.release(self.root, account.username, PurePosixPath(claim.path), claim.hold)
        unheld = replace(claim, hold="")
        try:
            uow.drop_claims.update(unheld)
        except Conflict:
            return None
        return unheld

    def _unclaimed_hold(self, path: Path, account: DropAccount, hold: str) -> bool:
        """Whether a held file is one to claim now: not being claimed by this watcher, its hold older
        than the stability wait (another watcher may be claiming it still), and no claim of it
        committed. A hold too young is looked at again once it has stood still."""
        if hold in self._holding:
            return False
        try:
            made = (self.root / account.username / HOLDS / hold).lstat().st_mtime
        except OSError:
            return False
        if time.time() - made < self.stable_seconds:
            self._watch(path)
            return False
        with self.components.unit_of_work() as uow:
            return not dropzone.is_claimed(uow, account, hold)

    def _refuse(
        self,
        account: DropAccount,
        relative: PurePosixPath,
        size: int,
        mtime_ns: int,
        why: str,
        uow: UnitOfWork | None = None,
    ) -> None:
        if uow is None:
            with self.components.unit_of_work() as fresh:
                self._refuse(account, relative, size, mtime_ns, why, fresh)
            return
        services = self.components.services
        if dropzone.refuse(uow, services, account, str(relative), size, mtime_ns, why):
            log.warning("refused %r for %s: %s", str(relative), account.username, why)

    def _locate(self, path: Path) -> tuple[DropAccount, PurePosixPath] | None:
        """The account and the file's path in it — a path that stays in it, links aside (checked when
        the file is opened)."""
        try:
            inside = path.relative_to(self.root)
        except ValueError:
            return None
        if len(inside.parts) < 2 or ".." in inside.parts:
            return None
        relative = PurePosixPath(*inside.parts[1:])
        if not is_candidate(relative):
            return None
        with self.components.unit_of_work() as uow:
            account = dropzone.find_account(uow, inside.parts[0])
        return None if account is None else (account, relative)
