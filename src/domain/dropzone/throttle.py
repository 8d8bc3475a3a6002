"""Brute-force protection: after too many failures a login is banned for a while — even with the right
credential while the ban lasts."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class LoginThrottle:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=10)
    ban: timedelta = timedelta(minutes=15)
    _failures: dict[str, deque[datetime]] = field(default_factory=lambda: defaultdict(deque))
    _banned_until: dict[str, datetime] = field(default_factory=dict)

    def banned(self, key: str, now: datetime) -> bool:
        until = self._banned_until.get(key)
        if until is None:
            return False
        if until <= now:
            del self._banned_until[key]
            return False
        return True

    def failed(self, key: str, now: datetime) -> None:
        attempts = self._failures[key]
        attempts.append(now)
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        if len(attempts) >= self.max_failures:
            self._banned_until[key] = now + self.ban
            attempts.clear()

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
