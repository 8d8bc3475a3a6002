"""Port: pushing a notification to a resident's devices (OneSignal in production)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from prorata.domain.notifications.model import Push
from prorata.domain.notifications.outcomes import Answer


class Notifier(Protocol):
    @abstractmethod
    def ready(self) -> None:
        """Make what a request needs (its client, its connection pool) now, before the caller waits for
        its turn of the rate limit: a request must leave on its turn, not a client's making later."""

    @abstractmethod
    def send(self, push: Push) -> Answer:
        """Ask the provider to deliver the push, once: no retry here. Never raises for what the provider
        or the network did — a timeout, a refused connection, a body that is not JSON are answers too
        (`Answer.status` None, or the body as it came); `notifications.outcomes.classify` says what each
        means."""
