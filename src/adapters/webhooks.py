"""Webhook deliveries over HTTP (httpx): the URL's host is resolved at each delivery and every address it
resolves to must be public (domain/webhooks/addresses.py) — then the request goes to the address that was
checked, with the name kept for the Host header and TLS (SNI and certificate), so a name re-pointed
between the check and the connection (DNS rebinding) reaches nothing private. No redirect is followed: a
3xx is not a 2xx. A 2xx is a success only within the timeout, the whole answer's status and headers
counted (a receiver dripping them out byte by byte is as late as one that says nothing)."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import SplitResult

import httpx

from prorata.domain.webhooks.addresses import RefusedUrl, checked_url, parsed_address, refused_address
from prorata.domain.webhooks.model import TIMEOUT_SECONDS, WebhookAnswer

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[Address]]


def system_resolve(host: str, port: int) -> list[Address]:
    """Every address the host resolves to (OSError when it does not)."""
    found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    addresses = []
    for *_, sockaddr in found:
        address = parsed_address(str(sockaddr[0]))
        if address is not None and address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"{host} resolves to no address")
    return addresses


class HttpxWebhookSender:
    def __init__(
        self,
        allow_private: bool,
        timeout: float = TIMEOUT_SECONDS,
        resolve: Resolve = system_resolve,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.resolve = resolve
        self.transport = transport

    def refusal(self, url: str) -> str | None:
        try:
            parts = checked_url(url, self.allow_private)
        except RefusedUrl as error:
            return str(error)
        if self.allow_private:
            return None
        try:
            return self._refused(parts, self._addresses(parts))
        except OSError:
            return None  # does not resolve now: its delivery will tell

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> WebhookAnswer:
        try:
            parts = checked_url(url, self.allow_private)
        except RefusedUrl as error:
            return WebhookAnswer(None, refused=str(error))
        target, sent = url, dict(headers)
        extensions: dict[str, Any] = {}
        if not self.allow_private:
            try:
                addresses = self._addresses(parts)
            except OSError as error:
                return WebhookAnswer(None, error=f"{parts.hostname} does not resolve: {error}")
            refused = self._refused(parts, addresses)
            if refused:
                return WebhookAnswer(None, refused=refused)
            target, extensions, sent = _pinned(parts, addresses[0], sent)
        try:
            with httpx.Client(
                timeout=httpx.Timeout(self.timeout), transport=self.transport, follow_redirects=False
            ) as client:
                request = client.build_request(
                    "POST", target, content=body, headers=sent, extensions=extensions
                )
                started = time.monotonic()
                response = client.send(request, stream=True)
                response.close()  # its status is the answer; the body is not read
                took = time.monotonic() - started
        except httpx.TimeoutException:
            return WebhookAnswer(None, error=f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as error:
            return WebhookAnswer(None, error=f"{type(error).__name__}: {error}")
        if took > self.timeout:  # httpx's timeout bounds each read, not the whole answer
            return WebhookAnswer(None, error=f"answered after {took:.1f} s, later than {self.timeout:g} s")
        return WebhookAnswer(response.status_code)

    def _addresses(self, parts: SplitResult) -> list[Address]:
        assert parts.hostname is not None
        literal = parsed_address(parts.hostname)
        if literal is not None:
            return [literal]
        return self.resolve(parts.hostname, parts.port or _default_port(parts))

    def _refused(self, parts: SplitResult, addresses: list[Address]) -> str | None:
        for address in addresses:
            why = refused_address(address)
            if why:
                return f"url's host {parts.hostname} resolves to {address}, {why}"
        return None


def _default_port(parts: SplitResult) -> int:
    return 443 if parts.scheme.lower() == "https" else 80


def _pinned(
    parts: SplitResult, address: Address, headers: dict[str, str]
) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The URL with the checked address for host; the name kept in Host and for TLS."""
    assert parts.hostname is not None
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    target = parts._replace(netloc=netloc).geturl()
    named = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return target, {"sni_hostname": parts.hostname}, {**headers, "Host": named}
