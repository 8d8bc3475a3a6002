"""A heartbeat file (PRORATA_HEARTBEAT_FILE): a serving process touches it each time its loop goes round,
so that `prorata ready --heartbeat FILE`, run in a fresh process by a container's healthcheck, can tell a
hung process — alive, its loop stuck or dead — by the file's age. Only its time is written: there is no
content to be read half-written."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
# A heartbeat older than this is a hung process: the watcher touches it every 0.2 s pass (and after each
# file it claims), a worker every second; 60 s leaves room for a slow pass (a rescan of a large drop zone,
# a claim over a slow database) and is two rescan periods (PRORATA_DROP_RESCAN_SECONDS, 30 s).
HEARTBEAT_MAX_AGE_SECONDS = 60.0


@dataclass(eq=False)
class FileHeartbeat:
    """Touches `path` on each `beat` (nothing when None). A touch that fails is one warning, until one
    succeeds again; it never raises, so the loop that beats goes on."""

    path: Path | None
    _failing: bool = False

    def beat(self) -> None:
        if self.path is None:
            return
        try:
            self.path.touch()
        except OSError as error:
            if not self._failing:
                log.warning(
                    "cannot touch the heartbeat file %s (%s): this process goes on, but `prorata ready "
                    "--heartbeat` will call it hung; check PRORATA_HEARTBEAT_FILE and its folder",
                    self.path,
                    error.strerror or error,
                )
            self._failing = True
            return
        self._failing = False
