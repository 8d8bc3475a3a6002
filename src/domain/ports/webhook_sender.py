"""Port: posting a signed delivery to a webhook's URL."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from prorata.domain.webhooks.model import WebhookAnswer


class WebhookSender(Protocol):
    @abstractmethod
    def refusal(self, url: str) -> str | None:
        """Why no delivery may go to the URL now (not https, or its host is or resolves to a loopback,
        private or link-local address); None when it may. A name that does not resolve is not refused
        here: its delivery will tell."""

    @abstractmethod
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> WebhookAnswer:
        """POST the body, once, checking the URL's addresses first (`WebhookAnswer.refused` if one is
        not allowed: nothing is sent then). Never raises for what the network or the receiver did."""
