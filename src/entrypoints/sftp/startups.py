"""Connections not yet logged in, bounded as OpenSSH's MaxStartups and PerSourceMaxStartups bound them: each
holds threads (ours and paramiko's) until it logs in or is closed, so without a bound one client opening
connections takes every thread the process may start."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from prorata.domain.dropzone.throttle import IPV6_SOURCE_PREFIX, checked_ipv6_prefix, source_of


@dataclass(frozen=True)
class Refusal:
    why: str
    first: bool  # the first of a spell of refusals (from that address, or in all): worth a line


class Startups:
    def __init__(self, total: int, per_address: int, ipv6_prefix: int = IPV6_SOURCE_PREFIX) -> None:
        # Checked now: else the first IPv6 client would fail the accept loop.
        self.total, self.per_address, self.ipv6_prefix = total, per_address, checked_ipv6_prefix(ipv6_prefix)
        self._waiting: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._refusing: set[str] = set()  # told refused, until one of theirs is admitted again ("" = all)

    def admit(self, address: str) -> Refusal | None:
        """None when the connection may go on (and counts, until `done`), else why it is refused. An
        address counts as its source: an IPv6 one as its network (a /64 unless told otherwise)."""
        source = source_of(address, self.ipv6_prefix)
        with self._lock:
            from_it = self._waiting[source]
            if from_it >= self.per_address:
                shown = source if source != address else "it"
                return self._refused(source, f"{from_it} connections from {shown} not logged in yet")
            waiting = self._waiting.total()
            if waiting >= self.total:
                return self._refused("", f"{waiting} connections not logged in yet")
            self._waiting[source] += 1
            self._refusing -= {source, ""}
            return None

    def done(self, address: str) -> None:
        """The connection logged in, or ended before it did."""
        source = source_of(address, self.ipv6_prefix)
        with self._lock:
            self._waiting[source] -= 1
            if self._waiting[source] <= 0:
                del self._waiting[source]

    def _refused(self, subject: str, why: str) -> Refusal:
        first = subject not in self._refusing
        self._refusing.add(subject)
        return Refusal(why, first)
