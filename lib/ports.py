"""Free loopback ports for the servers that tests, the bench and the topology start.

The usual way, bind(("127.0.0.1", 0)) and close, gets a port of the kernel's ephemeral
range (net.ipv4.ip_local_port_range, 32768-60999 by default): the range every other
process's bind(0) and every outgoing connection's local port are drawn from. A port
picked so and bound again later is free to any of them meanwhile: the server that
starts a minute later (the topology picks its ports, then restores a data set), or
that starts again on its port after a fault (an app server killed, Redis or PostgreSQL
restarted), may find it taken by the test shard that runs beside it in `make test`.

Ports here come from below that range, where the kernel never hands one out by itself:
a random one that binds now, never the same twice in a process. `PortHold` keeps one
bound (not listening) until its server is about to start, so that another process
picking the same way skips it. Run as a script, it prints one port (for shell scripts).
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

HOST = "127.0.0.1"
# Above the ports well-known services listen on (PostgreSQL 5432, Redis 6379, 8000,
# 8080, 9000, 11211...), below the ephemeral range.
FLOOR = 20_000
_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_given: set[int] = set()
# Not the `random` module's generator: tests seed it, and two processes seeded alike
# would pick the same ports in the same order.
_pick = random.SystemRandom()


def ephemeral_floor(range_file: Path = _RANGE_FILE) -> int:
    """The lowest port of the kernel's ephemeral range (32768 if it cannot be read)."""
    try:
        return int(range_file.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bound(port: int) -> socket.socket | None:
    """A socket bound to `port` on HOST, or None if the port is taken."""
    sock = socket.socket()
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        return None
    return sock


def _reserve(floor: int | None = None) -> socket.socket:
    top = (ephemeral_floor() if floor is None else floor) - 1
    bottom = min(FLOOR, top - 1000)
    if bottom >= 1024:
        for _ in range(500):
            port = _pick.randint(bottom, top)
            if port in _given:
                continue
            sock = _bound(port)
            if sock is not None:
                _given.add(port)
                return sock
    # An ephemeral range configured down to the privileged ports, or a crowded one:
    # the kernel's pick.
    sock = socket.socket()
    sock.bind((HOST, 0))
    _given.add(sock.getsockname()[1])
    return sock


class PortHold:
    """A free port kept bound until `release()`, just before its server binds it."""

    def __init__(self, floor: int | None = None) -> None:
        self._sock: socket.socket | None = _reserve(floor)
        self.port: int = self._sock.getsockname()[1]

    def release(self) -> int:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        return self.port


def free_port(floor: int | None = None) -> int:
    """A free port for a server started at once (below the ephemeral range)."""
    return PortHold(floor).release()


if __name__ == "__main__":
    print(free_port())
