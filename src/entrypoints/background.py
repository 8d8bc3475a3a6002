"""What runs beside the REST API in the process that serves it: the import worker pool and its sweeper, and
for `prorata run` the SFTP drop zone and its watcher.

They start in that process after gunicorn forked it, never in the master: threads do not survive a fork,
connections must not be shared across one, and a pool in the master would consume from an in-process broker
that the API — which enqueues into its own process's broker — never reaches."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prorata.config.bootstrap import Components
from prorata.entrypoints.worker import Sweeper, start_workers

SFTP_THREAD = "prorata-sftp"
WATCH_THREAD = "prorata-watch"
# Each part gets this long to stop; then the process exits anyway (the threads are daemons). An import cut
# short keeps its lease in the database; once that runs out, a sweeper sends the job again.
STOP_SECONDS = 5.0


@dataclass
class Background:
    """Starts the parts chosen here in the calling process and stops them, in reverse order, so what brings
    work in (watcher, SFTP) stops before the pool that does the work."""

    workers: bool
    sftp: tuple[str, int] | None = None  # (host, port)
    watch: bool = False
    _stops: list[Callable[[], None]] = field(default_factory=list, init=False, repr=False)

    def start(self, parts: Components) -> None:
        assert not self._stops, "already started"
        settings = parts.settings
        if self.workers:
            pool, sweeper = start_workers(parts, settings.worker_threads, settings.sweep_seconds)
            self._stops.append(lambda: pool.stop(timeout=int(STOP_SECONDS * 1000)))
            self._stops.append(lambda: _stop_thread(sweeper, sweeper.stop))
        # Imported only when chosen: `prorata api` needs neither the SSH server nor the file watcher.
        if self.sftp:
            from prorata.entrypoints.cli.dropzone import drop_zone_server

            server = drop_zone_server(parts)
            self._stops.append(_start_thread(SFTP_THREAD, server.serve, server.stop, *self.sftp))
        if self.watch:
            from prorata.entrypoints.watcher import DropWatcher

            watcher = DropWatcher(
                parts, settings.drop_root, settings.drop_stable_seconds, settings.drop_rescan_seconds
            )
            self._stops.append(_start_thread(WATCH_THREAD, watcher.run, watcher.stop))

    def stop(self) -> None:
        """Stop what `start` started; nothing if it did not run in this process."""
        while self._stops:
            self._stops.pop()()


def census() -> dict[str, int]:
    """What runs beside the API in this process, counted from its live threads — whoever started them, so
    a second pool shows as one."""
    threads = threading.enumerate()
    return {
        "workers": sum(_is_dramatiq_worker(thread) for thread in threads),
        "sweepers": sum(isinstance(thread, Sweeper) for thread in threads),
        "sftp": sum(thread.name == SFTP_THREAD for thread in threads),
        "watchers": sum(thread.name == WATCH_THREAD for thread in threads),
    }


def _is_dramatiq_worker(thread: threading.Thread) -> bool:
    kind = type(thread)  # dramatiq 2 calls it WorkerThread, dramatiq 1 _WorkerThread
    return kind.__module__ == "dramatiq.worker" and kind.__name__.lstrip("_") == "WorkerThread"


def _start_thread(
    name: str, run: Callable[..., None], stop: Callable[[], None], *args: Any
) -> Callable[[], None]:
    """Runs `run(*args)` in a thread; returns what stops it and waits for it to end."""
    thread = threading.Thread(target=run, args=args, name=name, daemon=True)
    thread.start()
    return lambda: _stop_thread(thread, stop)


def _stop_thread(thread: threading.Thread, stop: Callable[[], None]) -> None:
    stop()
    thread.join(STOP_SECONDS)
