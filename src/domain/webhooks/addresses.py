"""Where a webhook may deliver: an https URL whose host is, and resolves to, public addresses only — no
loopback, private, link-local (cloud metadata at 169.254.169.254), shared, multicast or reserved address —
checked when it is registered and again at every delivery (a name may be made to point elsewhere later).
`allow_private` (tests, the all-in-one) lifts both rules: plain http and local addresses are allowed."""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import SplitResult, urlsplit

MAX_URL = 2000


class RefusedUrl(ValueError):
    """A URL no delivery may go to (HTTP 422 `url_not_allowed` at registration; a permanent failure of
    a delivery)."""

    code = "url_not_allowed"


def checked_url(url: str, allow_private: bool) -> SplitResult:
    """The URL's parts, or RefusedUrl: scheme, host and (for a literal address or `localhost`) the host
    itself. Names are resolved by the caller (`refused_address` on each of their addresses)."""
    if len(url) > MAX_URL:
        raise RefusedUrl(f"url is longer than {MAX_URL} characters")
    if not url.strip() or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url.strip()):
        raise RefusedUrl("url must be a URL, without spaces or control characters")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as error:
        raise RefusedUrl(f"url is not a valid URL: {error}") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        raise RefusedUrl("url must be https")
    host = parts.hostname
    if not host:
        raise RefusedUrl("url has no host")
    if not allow_private:
        if host == "localhost" or host.endswith(".localhost"):
            raise RefusedUrl(f"url's host {host} is this machine")
        literal = _address(host)
        if literal is not None:
            why = refused_address(literal)
            if why:
                raise RefusedUrl(f"url's host {host} is {why}")
    return parts


# IPv6 spellings of an IPv4 address that a host or its network turns back into IPv4: the NAT64 well-known
# prefix (RFC 6052; a NAT64 gateway, as on IPv6-only cloud subnets, reaches private IPv4 networks too) and
# 6to4 (RFC 3056). Their IPv4 address is judged. The local-use NAT64 prefix (RFC 8215) and the deprecated
# IPv4-compatible addresses (::a.b.c.d) are not public in any case.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a delivery may not go to the address; None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in LOCAL_NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
            return "not a public address"
        else:
            inside = _embedded(address)
            if inside is not None:
                why = refused_address(inside)
                return f"{why} ({inside}, by its IPv6 form)" if why else None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def _embedded(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def parsed_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    return _address(text)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None
