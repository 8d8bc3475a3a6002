"""The drop zone's logins: refusing banned ones, counting failed authentications, banning by evidence."""

from __future__ import annotations

import logging

from prorata.domain.dropzone.throttle import LoginPolicy, Subject, subjects_of
from prorata.domain.ports.clock import Clock
from prorata.domain.ports.login_ledger import LoginLedger

log = logging.getLogger(__name__)


class LoginGuard:
    """Asked by the SSH server before it checks a credential, and told how each check ended."""

    def __init__(self, ledger: LoginLedger, policy: LoginPolicy, clock: Clock) -> None:
        self.ledger = ledger
        self.policy = policy
        self.clock = clock

    def refused(self, username: str, address: str) -> Subject | None:
        """What bans this user name from this address now — the login, the address (its source) or the
        account — or None."""
        return self.ledger.banned(subjects_of(username, address, self.policy.ipv6_prefix), self.clock.now())

    def failed(self, username: str, address: str) -> tuple[Subject, ...]:
        """A failed authentication: counted against the login, the address and the account; returns
        what it banned. Counted after it is recorded, so failures recorded meanwhile by other processes
        are counted too."""
        now = self.clock.now()
        subjects = subjects_of(username, address, self.policy.ipv6_prefix)
        self.ledger.record_failure(subjects, now)
        banned = self.policy.to_ban(self.ledger.failures_since(subjects, now - self.policy.window))
        if banned:
            self.ledger.ban(banned, now + self.policy.ban)
            for subject in banned:
                log.warning("SFTP %s %s banned after repeated failed logins", subject.scope, subject.name)
        return banned

    def succeeded(self, username: str, address: str) -> None:
        """A success clears only its own login's failures: not the address's (another user's guesses
        from there), nor the account's (guesses from elsewhere)."""
        login, _, _ = subjects_of(username, address, self.policy.ipv6_prefix)
        self.ledger.forget(login)
