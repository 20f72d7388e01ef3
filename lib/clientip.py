"""The client's address, the one place that decides it (sign-in throttling, audit log,
rate limits). No Django here: `accounts.clientip.client_ip(request)` passes in the
request's addresses and the configured proxies.

`X-Forwarded-For` is read only when the request came from a configured trusted proxy
(`TRUSTED_PROXIES`): anyone can send that header, so without a trusted proxy in front a
forged value would let a client pose as any address (and escape or cause lockouts).
The header is read from the right, skipping our own proxies; the first address that is
not one of them is the client.
"""

import functools
import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, trusted_proxies: tuple[str, ...]) -> str:
    """The address of the client ("" when unknown), from the peer's address, the
    `X-Forwarded-For` header and the networks of our own proxies."""
    remote = _address(remote_addr)
    if remote is None:
        return ""
    networks = _networks(trusted_proxies)
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    hops = forwarded_for.split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Our proxies write only addresses: garbage comes from the client, left of it.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
