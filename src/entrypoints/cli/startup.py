"""What a serving command checks before it starts: the database (and, for a command that needs one, the
broker) answers. Otherwise one error line in the chosen log format — what does not answer and which
setting to check — and exit 1, for the supervisor to restart it later; never a driver's traceback."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prorata.config.bootstrap import Components

UNREACHABLE = 1
log = logging.getLogger("prorata.cli")


def require_reachable(parts: Components, command: str, broker: bool = True) -> None:
    """Exit 1 with one line per part that does not answer (`broker`: the configured broker too)."""
    from prorata.adapters.readiness import check_broker, check_database  # to check, not for `--help`

    found = [check_database(parts.engine)]
    if broker:
        found.append(check_broker(parts.broker))
    problems = [problem for problem in found if problem is not None]
    for problem in problems:
        log.error("prorata %s cannot start: %s", command, problem.message, extra={"code": problem.code})
    if problems:
        parts.engine.dispose()
        sys.exit(UNREACHABLE)
